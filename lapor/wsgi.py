import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.settings")
application = get_wsgi_application()

from core.warmup import freeze_startup_objects  # noqa: E402  (after Django is set up)
from routing.suggest import warm  # noqa: E402

warm()  # the stored category classifier (manage.py train_classifier --if-missing at deploy)
freeze_startup_objects()
