"""The filer's phone number is for the bureau, not the public."""

import pytest

from reports.selectors.privacy import contact_public


@pytest.mark.parametrize(
    ("text", "public"),
    [
        ("区文广旅局财务科 0371-68922060", "区文广旅局财务科"),
        ("张三 13800138000", "张三"),
        ("张三，手机：138 0013 8000", "张三"),
        ("李四（电话：0371-6789012 转 801）", "李四"),
        ("王五/68922060", "王五"),
        ("财务科 +86 13912345678；0371 68922060", "财务科"),
        ("服务热线 400-123-4567", "服务热线"),
        ("赵六", "赵六"),
        ("", ""),
        ("2021年度 第3科", "2021年度 第3科"),  # short figures are not phone numbers
    ],
)
def test_contact_public_drops_phone_numbers(text, public):
    assert contact_public(text) == public
