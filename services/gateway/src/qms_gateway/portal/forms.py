"""Forms: what a person typed, checked with the command's own input model, errors in Vietnamese.

Field names are the model's paths ("targets.0.statement"), so an error finds its field.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from litestar.datastructures import FormMultiDict
from pydantic import BaseModel, ValidationError

from qms_gateway.portal.formatting import parse_date, parse_number

M = TypeVar("M", bound=BaseModel)
#: Field path -> message; "" holds what belongs to no single field.
Errors = dict[str, str]

_MESSAGES = {
    "missing": "Chưa nhập",
    "string_too_long": "Tối đa {max_length} ký tự",
    "too_short": "Cần ít nhất {min_length} mục",
    "too_long": "Tối đa {max_length} mục",
    "greater_than_equal": "Phải lớn hơn hoặc bằng {ge}",
    "less_than_equal": "Phải nhỏ hơn hoặc bằng {le}",
    "greater_than": "Phải lớn hơn {gt}",
    "less_than": "Phải nhỏ hơn {lt}",
    "int_parsing": "Phải là số nguyên",
    "int_type": "Phải là số nguyên",
    "int_from_float": "Phải là số nguyên",
    "float_parsing": "Phải là một số",
    "float_type": "Phải là một số",
    "finite_number": "Phải là một số hữu hạn",
    "date_parsing": "Ngày không hợp lệ",
    "date_from_datetime_parsing": "Ngày không hợp lệ",
    "date_type": "Ngày không hợp lệ",
    "literal_error": "Giá trị không được phép",
    "extra_forbidden": "Trường không được phép",
    "bool_parsing": "Phải chọn có hoặc không",
    "dict_type": "Dữ liệu không hợp lệ",
    "list_type": "Dữ liệu không hợp lệ",
}


def vietnamese(error: dict[str, Any]) -> str:
    """One pydantic error, said in Vietnamese."""
    kind, context = error["type"], error.get("ctx") or {}
    if kind == "string_too_short":
        minimum = context.get("min_length", 1)
        return "Không được để trống" if minimum <= 1 else f"Cần ít nhất {minimum} ký tự"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    template = _MESSAGES.get(kind)
    return template.format(**context) if template else "Giá trị không hợp lệ"


def errors_of(error: ValidationError) -> Errors:
    found: Errors = {}
    for detail in error.errors():
        path = ".".join(str(part) for part in detail["loc"])
        found.setdefault(path, vietnamese(dict(detail)))
    return found


def checked(model: type[M], data: dict[str, Any]) -> tuple[M | None, Errors]:
    """The command body, or the errors to show beside the fields."""
    try:
        return model.model_validate(data), {}
    except ValidationError as error:
        return None, errors_of(error)


def text(form: FormMultiDict, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def number(form: FormMultiDict, name: str, errors: Errors) -> float | str:
    """A number field: the number, or the text as typed with an error beside it."""
    typed = text(form, name).strip()
    if not typed:
        errors[name] = "Chưa nhập"
        return typed
    try:
        return parse_number(typed)
    except ValueError:
        errors[name] = "Phải là một số, ví dụ 95 hoặc 95,5"
        return typed


def day(form: FormMultiDict, name: str, errors: Errors) -> str:
    """A date field: the date as ISO text, or the text as typed with an error beside it."""
    typed = text(form, name).strip()
    if not typed:
        errors[name] = "Chưa nhập"
        return typed
    try:
        return parse_date(typed).isoformat()
    except ValueError:
        errors[name] = "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 31/12/2026"
        return typed


def whole(typed: str) -> int | None:
    """A whole number typed in ASCII digits (not "²", not thousands of digits), else None."""
    typed = typed.strip()
    return int(typed) if typed.isascii() and typed.isdigit() and len(typed) <= 9 else None


def field_names(errors: Errors, labels: Mapping[str, str]) -> dict[str, str]:
    """Each error's field as a person reads it: `targets.1.indicator` is "Chỉ tiêu 2 · Chỉ số
    đo" when labels name `targets` and `indicator`."""
    names: dict[str, str] = {}
    for key in errors:
        words: list[str] = []
        for part in key.split(".") if key else []:
            number = whole(part)
            if number is not None and words:
                words[-1] = f"{words[-1]} {number + 1}"
            else:
                words.append(labels.get(part, part))
        names[key] = " · ".join(words)
    return names


def chosen(form: FormMultiDict, name: str) -> list[str]:
    return [value for value in form.getall(name, []) if isinstance(value, str) and value]


def _row_indexes(form: FormMultiDict, prefix: str) -> Iterable[int]:
    """The indexes of repeated rows (`targets.3.statement`) present in the form, in order."""
    found = set()
    for key in form:
        head, _, rest = key.partition(".")
        index, _, _ = rest.partition(".")
        number = whole(index)
        if head == prefix and number is not None:
            found.add(number)
    return sorted(found)


def read_rows(
    form: FormMultiDict,
    prefix: str,
    errors: Errors,
    read: Callable[[str, Errors], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Each repeated row `<prefix>.<i>.<field>`, as `read(row name prefix, row errors)` types
    it; its errors numbered by the row's position, as the command's model numbers them."""
    found = []
    for position, index in enumerate(_row_indexes(form, prefix)):
        row_errors: Errors = {}
        found.append(read(f"{prefix}.{index}.", row_errors))
        errors.update({k.replace(f".{index}.", f".{position}."): v for k, v in row_errors.items()})
    return found


def edit_rows(
    form: FormMultiDict, found: list[dict[str, Any]], noun: str, blank: Callable[[], dict[str, Any]]
) -> bool:
    """Whether the form asked only to add a row (`_action=add_<noun>`) or remove one
    (`remove_<noun>:<i>`), done to `found`: the form is then redrawn, not sent."""
    action = text(form, "_action")
    if action == f"add_{noun}":
        found.append(blank())
        return True
    if action.startswith(f"remove_{noun}:"):
        index = whole(action.partition(":")[2])
        if index is not None and index < len(found):
            del found[index]
        return True
    return False
