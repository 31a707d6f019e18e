"""The reports app in the admin: the export audit and the register of printed documents
(records.py), the door that prints documents (documents.py), the Export button (exports.py), and
what reports adds to the pages of cases, diplomacy and partners (parts.py). Importing the
submodules here is what registers their ModelAdmins when the admin autodiscovers."""

from reports.admin import documents, exports, parts, records  # noqa: F401
