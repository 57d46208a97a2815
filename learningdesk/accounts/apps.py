from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "learningdesk.accounts"
    label = "accounts"
    verbose_name = "Accounts and audit"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

        from learningdesk.accounts import sign_in_log

        uid = "learningdesk.accounts.sign_in_log"
        user_logged_in.connect(sign_in_log.on_logged_in, dispatch_uid=f"{uid}.logged_in")
        user_login_failed.connect(sign_in_log.on_login_failed, dispatch_uid=f"{uid}.login_failed")
        user_logged_out.connect(sign_in_log.on_logged_out, dispatch_uid=f"{uid}.logged_out")
        user_locked_out.connect(sign_in_log.on_locked_out, dispatch_uid=f"{uid}.locked_out")
