"""A small valid content tree that loader tests copy and break one piece at a time."""

COURSE = """---
title: Khoá học mẫu
summary: Một khoá học nhỏ để kiểm thử.
audience: [citizen]
competences: ["4.2", "6.1"]
level: basic
minutes: 10
---
Giới thiệu khoá học.
"""

COURSE_EN = """---
title: Sample course
summary: A small course for tests.
---
Course introduction.
"""

LESSON_1 = """---
title: Bài một
minutes: 5
---
Xin chào. Xem [bài hai](02-second.md) và hình:

![Một hình tròn màu xanh](images/dot.svg)
"""

LESSON_1_EN = """---
title: Lesson one
---
Hello. See [lesson two](02-second.en.md).
"""

LESSON_2 = """---
title: Bài hai
---
Nội dung bài hai.

!!! note "Ghi nhớ"
    Không chia sẻ mã OTP.
"""

LESSON_2_EN = """---
title: Lesson two
---
Lesson two.
"""

QUIZ = """---
course: sample
title: Kiểm tra
pass_mark: 80
questions_per_attempt: 2
---

## Chatbot luôn trả lời đúng. {lesson=first}

- [ ] Đúng
- [x] Sai

Chatbot có thể bịa thông tin.

## Bạn nhận được tin nhắn này. Bạn làm gì? {lesson=second}

> "Tài khoản bị khoá, bấm vi-du.top"

- [ ] Bấm link
- [x] Gọi tổng đài in trên thẻ
- [ ] Nhắn lại để hỏi cho rõ ràng hơn

Ngân hàng không gửi link mở khoá.

## Việc nào bảo vệ điện thoại? {lesson=first}

- [x] Khoá màn hình
- [x] Cập nhật phần mềm
- [ ] Cài ứng dụng từ link lạ
- [ ] Tắt cập nhật

Khoá màn hình và cập nhật giúp an toàn.
"""

QUIZ_EN = """---
course: sample
title: Quiz
pass_mark: 80
questions_per_attempt: 2
---

## A chatbot is always right. {lesson=first}

- [ ] True
- [x] False

Chatbots can make things up.

## You receive this message. What do you do? {lesson=second}

> "Account locked, tap vi-du.top"

- [ ] Tap the link
- [x] Call the number printed on the card
- [ ] Reply to ask what is going on exactly

Banks do not send unlock links.

## What protects a phone? {lesson=first}

- [x] A screen lock
- [x] Updates
- [ ] Apps from unknown links
- [ ] Turning updates off

Locks and updates keep it safe.
"""

PROGRAM = """---
title: Chương trình mẫu
courses: [sample]
audience: [citizen]
competences: ["4.2"]
template: default
---
Mô tả.
"""

PROGRAM_EN = """---
title: Sample program
---
Description.
"""

SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>'


def valid_tree() -> dict[str, str]:
    return {
        "courses/sample/course.md": COURSE,
        "courses/sample/course.en.md": COURSE_EN,
        "courses/sample/01-first.md": LESSON_1,
        "courses/sample/01-first.en.md": LESSON_1_EN,
        "courses/sample/02-second.md": LESSON_2,
        "courses/sample/02-second.en.md": LESSON_2_EN,
        "courses/sample/images/dot.svg": SVG,
        "quizzes/sample.md": QUIZ,
        "quizzes/sample.en.md": QUIZ_EN,
        "certificates/basic.md": PROGRAM,
        "certificates/basic.en.md": PROGRAM_EN,
        "certificates/templates/default/certificate.html": "<p>{{ holder_name }}</p>",
        "certificates/templates/default/style.css": "p { color: black }",
    }
