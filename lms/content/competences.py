"""The digital competence framework of Circular 02/2025/TT-BGDĐT (DigComp 2.2 plus AI).

Names below domain 1 follow the English of DigComp 2.2; their Vietnamese wording
is to be checked against the official annex (see shared/reference).
"""
from dataclasses import dataclass


@dataclass(frozen=True)
class Competence:
    code: str
    name_vi: str
    name_en: str

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_vi


def _framework(*rows: tuple[str, str, str]) -> dict[str, Competence]:
    return {code: Competence(code, vi, en) for code, vi, en in rows}


COMPETENCES: dict[str, Competence] = _framework(
    ("1.1", "Duyệt, tìm kiếm và lọc dữ liệu, thông tin và nội dung số",
     "Browsing, searching and filtering data, information and digital content"),
    ("1.2", "Đánh giá dữ liệu, thông tin và nội dung số",
     "Evaluating data, information and digital content"),
    ("1.3", "Quản lý dữ liệu, thông tin và nội dung số",
     "Managing data, information and digital content"),
    ("2.1", "Tương tác thông qua công nghệ số", "Interacting through digital technologies"),
    ("2.2", "Chia sẻ thông qua công nghệ số", "Sharing through digital technologies"),
    ("2.3", "Tham gia với tư cách công dân thông qua công nghệ số",
     "Engaging in citizenship through digital technologies"),
    ("2.4", "Hợp tác thông qua công nghệ số", "Collaborating through digital technologies"),
    ("2.5", "Quy tắc ứng xử trên môi trường số", "Netiquette"),
    ("2.6", "Quản lý danh tính số", "Managing digital identity"),
    ("3.1", "Phát triển nội dung số", "Developing digital content"),
    ("3.2", "Tích hợp và tái tạo nội dung số", "Integrating and re-elaborating digital content"),
    ("3.3", "Bản quyền và giấy phép", "Copyright and licences"),
    ("3.4", "Lập trình", "Programming"),
    ("4.1", "Bảo vệ thiết bị", "Protecting devices"),
    ("4.2", "Bảo vệ dữ liệu cá nhân và quyền riêng tư", "Protecting personal data and privacy"),
    ("4.3", "Bảo vệ sức khoẻ và an sinh", "Protecting health and well-being"),
    ("4.4", "Bảo vệ môi trường", "Protecting the environment"),
    ("5.1", "Giải quyết các vấn đề kỹ thuật", "Solving technical problems"),
    ("5.2", "Xác định nhu cầu và giải pháp công nghệ",
     "Identifying needs and technological responses"),
    ("5.3", "Sử dụng sáng tạo công nghệ số", "Creatively using digital technologies"),
    ("5.4", "Xác định những thiếu hụt về năng lực số", "Identifying digital competence gaps"),
    ("6.1", "Hiểu biết về trí tuệ nhân tạo", "Understanding AI"),
    ("6.2", "Sử dụng trí tuệ nhân tạo có đạo đức và trách nhiệm",
     "Using AI ethically and responsibly"),
    ("6.3", "Đánh giá các công cụ trí tuệ nhân tạo", "Evaluating AI tools"),
)


# Decision 757/QĐ-BKHCN (29/04/2025), Annex I: the basic digital knowledge and skills framework
# the movement reports against. It puts group 0, using devices and software, before groups that
# follow DigComp's areas; only the group numbers are used here (names to be checked against the
# annex before they are printed anywhere).
DECISION_757_GROUPS: dict[str, str] = {
    "0": "Sử dụng thiết bị và phần mềm / Using devices and software",
    "1": "DigComp area 1: information and data literacy",
    "2": "DigComp area 2: communication and collaboration",
    "3": "DigComp area 3: digital content creation",
    "4": "DigComp area 4: safety",
    "5": "DigComp area 5: problem solving",
}
