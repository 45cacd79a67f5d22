pytest_plugins = [
    "tests.support.leaks",  # first: the other plugins import it
    "tests.support.cli",
    "tests.support.db",
    "tests.support.desk",
    "tests.support.dovecot",
    "tests.support.smtp",
    "tests.support.fake_slack",
    "tests.support.slack_driver",
    "tests.support.tasks",
]
