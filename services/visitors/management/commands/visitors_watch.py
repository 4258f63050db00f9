from portal.watch import WatchCommand
from services.visitors.tasks import remove_visitor_personal_data


class Command(WatchCommand):
    help = ("Queue the removal of visitors' personal data past each community's retention "
            "period every --seconds, for the task workers to run. Passes already cleared "
            "are left alone, however often this runs.")
    label = "Visitors watch"
    watching = "visitors' personal data retention"
    default_seconds = 3600

    def tasks(self):
        return [remove_visitor_personal_data]
