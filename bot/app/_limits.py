"""Discord's limits, each named once: every reply, embed and choice is fitted to these."""

#: Characters of message content.
MESSAGE_MAX = 2000
#: Embeds: title, description, fields, field name and value, footer, author, all together.
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
#: Autocomplete: choices offered, and characters of a choice's name and value.
CHOICES_MAX = 25
CHOICE_MAX = 100
#: Buttons: characters of a label and of a custom id; buttons in a row, rows in a message.
BUTTON_LABEL_MAX = 80
CUSTOM_ID_MAX = 100
BUTTONS_PER_ROW = 5
