from django import forms


def set_choices(form: forms.Form, name: str, choices: list) -> None:
    """Fill a ChoiceField's options at request time (they depend on the user and the data)."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices
