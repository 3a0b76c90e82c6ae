from django.dispatch import Signal

# Sent when a user proves they own an e-mail address. complaints connects to it to attach the
# reports that the same address filed as a guest (claiming them into the account).
email_verified = Signal()  # sender=User, user=User
