"""The reports app in the admin: the export audit and the register of printed documents
(records.py), the door that prints documents (documents.py) and the Export button (exports.py).
Importing the submodules here is what registers their ModelAdmins when the admin autodiscovers."""

from reports.admin import documents, exports, records  # noqa: F401
