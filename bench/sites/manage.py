"""manage.py for the two baseline projects: DJANGO_SETTINGS_MODULE=drfsite.settings or
hdsite.settings, run from bench/sites."""

import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    execute_from_command_line(sys.argv)
