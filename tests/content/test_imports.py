"""Moodle question files (GIFT, Aiken, Moodle XML) into our quiz format, on real sample files."""
from pathlib import Path

import pytest

from lms.content import load_catalog
from lms.content.frontmatter import parse_document
from lms.content.imports import convert, detect_format
from lms.content.imports.model import MAX_IMPORT_BYTES
from lms.content.markdown import MarkdownRenderer
from lms.content.quizzes import parse_questions
from tests.content.trees import valid_tree

SAMPLES = Path(__file__).parent / "samples"


def converted(name, **options):
    return convert(name, (SAMPLES / name).read_bytes(), **options)


def messages(result):
    return [str(problem) for problem in result.problems]


def loaded_questions(markdown):
    doc = parse_document("quizzes/x.md", markdown)
    _intro, questions = parse_questions(doc, MarkdownRenderer())
    return doc, questions


@pytest.mark.parametrize("name, count", [("an-toan-so.gift", 5), ("tin-gia.txt", 3),
                                         ("ngan-hang-cau-hoi.xml", 3)])
def test_each_sample_converts_to_a_quiz_our_loader_reads(name, count, content_tree):
    result = converted(name, course="sample", lesson="first")
    doc, questions = loaded_questions(result.markdown)
    assert result.converted == count and len(questions) == count
    assert not [p for p in doc.problems if p.is_error]
    files = valid_tree()
    del files["quizzes/sample.en.md"]
    files["quizzes/sample.md"] = result.markdown
    catalog = load_catalog(content_tree(files))
    assert len(catalog.course("sample").quiz.questions) == count
    assert not [p for p in catalog.problems if p.is_error], catalog.problems


def test_gift_comments_categories_escapes_and_multiline_text():
    result = converted("an-toan-so.gift", course="sample")
    _doc, questions = loaded_questions(result.markdown)
    first, true_false, password, several, missing_word = questions
    assert "Ai được phép biết mã OTP" in first.text.prompt_html
    assert "Ngân hàng Nhà nước" not in result.markdown.split("##")[0]  # comments dropped
    assert "CATEGORY" not in result.markdown and "//" not in result.markdown
    assert first.kind == "single" and first.correct == {0}
    assert "chỉ người chủ tài khoản được biết" in first.text.explanation_html  # general feedback
    assert "Nếu chọn “Nhân viên ngân hàng gọi điện hỏi”: Ngân hàng không bao giờ hỏi mã OTP." \
        in first.text.explanation_html  # per-answer feedback
    assert true_false.kind == "true-false" and true_false.options == ("Đúng", "Sai")
    assert true_false.correct == {1}
    # {FALSE#said when wrong#said when right}: "Đúng" is the wrong answer here
    assert "Nếu chọn “Đúng”: Sai rồi" in true_false.text.explanation_html
    # \~ \= \# \{ \} are the characters themselves, and [html] lost its tags
    assert password.text.options_html[2] == "Hoa~Mai=Nở#2024{Tết}" and password.correct == {2}
    assert password.text.prompt_html == "<p>Mật khẩu nào mạnh nhất?</p>"
    assert several.kind == "multiple" and several.correct == {0, 1}
    assert "Chọn tất cả các ý đúng." in several.text.prompt_html  # the second line kept
    assert "_____" in missing_word.text.prompt_html and missing_word.correct == {1}


def test_gift_reports_what_it_cannot_convert_with_its_line():
    result = converted("an-toan-so.gift", course="sample")
    found = messages(result)
    for line, kind in ((37, "essay"), (39, "numerical"), (41, "matching"),
                       (46, "short-answer")):
        assert f"an-toan-so.gift:{line}: GIFT {kind} questions cannot be converted (only " \
               "multiple choice and true/false can): the question was left out" in found
    assert "an-toan-so.gift:27: warning: part-credit weights (50%, 50%, -100%, -100%) become " \
           "all or nothing: the learner must tick exactly the answers with a positive " \
           "weight" in found
    assert "an-toan-so.gift:35: warning: the question has no feedback to explain the right " \
           "answer: a placeholder was written; replace it" in found


def test_a_missing_explanation_is_a_placeholder_the_content_check_flags():
    result = converted("an-toan-so.gift", course="sample")
    placeholder_lines = [p.line for p in result.problems if p.path == "quizzes/sample.md"
                         and "still the import's placeholder" in p.message]
    assert len(placeholder_lines) == 2
    lines = result.markdown.split("\n")
    assert all(lines[n - 1].startswith("## ") for n in placeholder_lines)


def test_aiken_questions_and_its_mistakes():
    result = converted("tin-gia.txt", course="sample")
    _doc, questions = loaded_questions(result.markdown)
    assert [q.correct for q in questions] == [{1}, {0}, {1}]
    assert questions[2].kind == "true-false"  # "A. Đúng / B. Sai" is a true/false question
    found = messages(result)
    assert 'tin-gia.txt:19: this question has no "ANSWER: letter" line after its options: it ' \
           "was left out" in found
    assert 'tin-gia.txt:26: ANSWER: "E" is not one of the option letters A, B: the question ' \
           "was left out" in found
    assert sum("no feedback" in m for m in found) == 3  # Aiken has no feedback at all


def test_moodle_xml_multichoice_truefalse_fractions_and_feedback():
    result = converted("ngan-hang-cau-hoi.xml", course="sample")
    _doc, (true_false, single, several) = loaded_questions(result.markdown)
    assert true_false.kind == "true-false" and true_false.correct == {0}
    assert "VNeID mức 2 dùng được" in true_false.text.explanation_html
    # CDATA HTML became text, paragraphs kept as lines, entities decoded
    assert single.text.prompt_html.startswith("<p>Bà Lan muốn đăng ký khai sinh")
    assert "Bà cần chuẩn bị gì trước khi nộp hồ sơ?" in single.text.prompt_html
    assert "<strong>" not in result.markdown and "Sổ hộ khẩu giấy &amp; giấy" in \
        single.text.options_html[2]
    assert single.correct == {0}  # the 50% answer counts as wrong
    assert several.kind == "multiple" and several.correct == {0, 1}
    found = messages(result)
    assert 'ngan-hang-cau-hoi.xml:44: warning: the image "man hinh khai sinh.png" is not ' \
           "converted: add it to the course's images/ folder and link it from the " \
           "question" in found
    assert "ngan-hang-cau-hoi.xml:44: warning: answers with part credit (50%) count as wrong " \
           "here: only the best answer is right" in found
    assert "ngan-hang-cau-hoi.xml:96: warning: Moodle gives part marks for each right answer " \
           "ticked (50%, 50%, -100%, -100%); here it is all or nothing: the learner must tick " \
           "exactly the right answers" in found
    assert 'ngan-hang-cau-hoi.xml:151: question "Kinh nghiệm nộp hồ sơ" is of type essay, ' \
           "which cannot be converted (only multichoice and truefalse can): it was left " \
           "out" in found


def test_an_xml_bomb_is_refused_before_it_expands():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">'
            b']><quiz><question type="truefalse"><questiontext><text>&c;</text></questiontext>'
            b"</question></quiz>")
    result = convert("bomb.xml", bomb)
    assert result.markdown is None
    assert messages(result)[0] == ("bomb.xml:1: the file declares XML entities or external "
                                   "references, which are refused for safety: export the "
                                   "questions from Moodle again")


def test_external_entities_are_refused():
    xxe = (b'<?xml version="1.0"?><!DOCTYPE quiz [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b"<quiz><question type='essay'><name><text>&x;</text></name></question></quiz>")
    result = convert("xxe.xml", xxe)
    assert result.markdown is None and "refused for safety" in messages(result)[0]


def test_broken_xml_is_reported_at_its_line():
    result = convert("broken.xml", b'<?xml version="1.0"?>\n<quiz>\n<question type="x">\n</quiz>')
    assert result.markdown is None
    assert messages(result)[0].startswith("broken.xml:4: this is not well-formed XML")


@pytest.mark.parametrize("name, data, message", [
    ("big.gift", b"x" * (MAX_IMPORT_BYTES + 1), "big.gift:1: the file is larger than 2 MB"),
    ("latin1.txt", "Câu hỏi?\nA. Có\nB. Không\nANSWER: A\n".encode("cp1258", "replace"),
     "latin1.txt:1: the file is not UTF-8 text"),
    ("notes.txt", b"just some notes\n", "notes.txt:1: this is not a GIFT, Aiken or Moodle XML"),
    ("empty.gift", b"// nothing but a comment\n", "empty.gift:1: no question could be converted"),
])
def test_unusable_files_say_why_and_give_no_quiz(name, data, message):
    result = convert(name, data)
    assert result.markdown is None and messages(result)[0].startswith(message)


def test_formats_are_told_by_name_or_content():
    assert detect_format("bank.xml", b"") == "moodle-xml"
    assert detect_format("bank.txt", b"Q?\nA. x\nB. y\nANSWER: A\n") == "aiken"
    assert detect_format("bank.txt", b"Q? {=a ~b}") == "gift"
    assert detect_format("export", b'<?xml version="1.0"?><quiz/>') == "moodle-xml"


def test_text_that_looks_like_markdown_stays_text():
    gift = ("Which is *not* a [link]? \\# # 1. <b>x</b> {\n=Option with - [ ] inside\n"
            "~\\#\\# heading-like\n~<script>alert(1)</script>\n}\n").encode()
    result = convert("tricky.gift", gift, course="sample")
    _doc, (question,) = loaded_questions(result.markdown)
    assert question.text.prompt_html == \
        "<p>Which is *not* a [link]? # # 1. &lt;b&gt;x&lt;/b&gt;</p>"
    assert question.text.options_html == ("Option with - [ ] inside", "## heading-like",
                                          "&lt;script&gt;alert(1)&lt;/script&gt;")
