"""The one Markdown function: fixed extensions, sanitised output, a plain-text shortcut that agrees."""
import pytest

from lms.content.markdown import MarkdownRenderer, _render_plain, check_source

renderer = MarkdownRenderer()


def full_markdown(text: str) -> str:
    md = renderer._md
    md.reset()
    md.lms_resolver, md.lms_broken = None, []
    from lms.content.markdown import sanitize
    return sanitize(md.convert(text))


@pytest.mark.parametrize("text", [
    "Gọi tổng đài in trên thẻ ngân hàng.",
    "Chatbot có thể \"bịa\" thông tin (gọi là ảo giác) – hãy kiểm tra lại!",
    "Dòng một\ndòng hai.\n\nĐoạn thứ hai: 50% người dùng?",
    "Sai",
    "True",
])
def test_plain_text_shortcut_gives_exactly_what_markdown_gives(text):
    assert _render_plain(text) is not None
    assert renderer.render(text)[0] == full_markdown(text)


@pytest.mark.parametrize("text", [
    "1. Mở ứng dụng", "- mục", "> trích dẫn", "# Tiêu đề", "**đậm**", "a < b", "[link](x.md)",
    "dòng\n    thụt lề", "a & b", "Tiêu đề\n===", "ngắt dòng  \ntiếp", "x\n\n2) bước",
])
def test_text_with_markdown_syntax_goes_through_the_parser(text):
    assert _render_plain(text) is None
    assert renderer.render(text)[0] == full_markdown(text)


def test_inline_rendering_drops_the_paragraph():
    assert renderer.render_inline("**Đúng** rồi") == "<strong>Đúng</strong> rồi"
    assert renderer.render_inline("Sai") == "Sai"


def test_dangerous_html_is_removed():
    html, _ = renderer.render('<img src=x onerror="alert(1)"><iframe src="https://x"></iframe>'
                              '<a href="javascript:alert(1)">x</a>')
    assert "onerror" not in html and "<iframe" not in html and "javascript" not in html


def test_heading_anchors_keep_the_d_of_vietnamese():
    html, _ = renderer.render("## Quét mã QR để trả tiền\n\n## Đăng nhập")
    assert 'id="quet-ma-qr-de-tra-tien"' in html and 'id="dang-nhap"' in html


@pytest.mark.parametrize("source, message", [
    ('!!! danger "Nguy hiểm"\n    Không chuyển tiền.', 'unknown box type "danger"'),
    ('!!! note "Ghi nhớ"\n  Không chia sẻ mã OTP.', "indented by four spaces"),
    ('!!! note "Ghi nhớ"\n\nKhông chia sẻ mã OTP.', "indented by four spaces"),
])
def test_boxes_that_would_render_wrongly_are_noted_at_their_line(source, message):
    notes = check_source("Đoạn đầu.\n\n" + source)
    assert len(notes) == 1 and notes[0].offset == 2 and message in notes[0].message


def test_a_well_formed_box_has_no_note():
    assert check_source('!!! tip "Mẹo"\n    Cập nhật phần mềm.\n\n!!! warning\n\tCẩn thận.') == []


def test_removed_raw_html_is_reported_and_kept_html_is_not():
    _, broken = renderer.render('Chữ <font color="red">đỏ</font>.\n\n<div>giữ</div>\n')
    assert [ref.target for ref in broken if ref.reason == "raw-html"] == [
        '<font color="red">', "</font>"]
