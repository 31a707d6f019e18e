"""Strings of the libraries we show that their Ukrainian or Korean catalogues do not translate:
Django's admin (the app list's headings for screen readers, a few user pages), django-axes'
sign-in audit and django-simple-history's history pages (no Korean catalogue; the Ukrainian
one lacks its newer strings). Marked here so that our catalogues carry
them; our catalogues (LOCALE_PATHS) come before the libraries'."""

from django.utils.translation import gettext_noop

DJANGO_ADMIN = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    gettext_noop("After you’ve created a user, you’ll be able to edit more user options."),
    gettext_noop("Forgotten your login credentials?"),
    gettext_noop("In case you’ve forgotten, you are:"),
    # Django's Korean reads "보기위한 1%s 를(을) 선택": a stray "1" before the model's name.
    gettext_noop("Select %s to view"),
]

DJANGO_AXES = [
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Path"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("Username"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
]

DJANGO_SIMPLE_HISTORY = [
    gettext_noop("View history: %s"),
    gettext_noop('The %(name)s "%(obj)s" was changed successfully.'),
    gettext_noop("You may edit it again below"),
    gettext_noop("Revert %s"),
    gettext_noop("Created"),
    gettext_noop("Changed"),
    gettext_noop("Deleted"),
    gettext_noop("Deleted %(type_name)s"),
    gettext_noop(
        "Choose a date from the list below to revert to a previous version of this object."
    ),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Object"),
    gettext_noop("Comment"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    gettext_noop("Revert"),
    gettext_noop("Change History"),
]
