"""The ticket report as its reader sees it: labelled rows, one column per community (and
one for all of them), a heat map and bar widths. The admin page and the .xlsx export
both read this one object, so they always show the same figures."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from portal.estates.models import Building, Community

from ..tickets.categories import TicketCategory
from ..tickets.models import State
from . import queries

WEEKDAYS = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
HOURS = range(24)
HEAT_LEFT, HEAT_TOP, HEAT_STEP_X, HEAT_STEP_Y = 40, 20, 30, 25


def definitions():
    """How each rate is counted, said on the page and in the export."""
    return [
        _("Satisfaction rate: the share of rated tickets whose three scores (speed, "
          "attitude, quality) are all %(score)d stars or more.")
        % {"score": queries.SATISFIED_SCORE},
        _("Repeat-repair rate: the share of repairs of a house that follow another repair "
          "of the same house and category submitted within the %(days)d days before. "
          "Cancelled tickets, merged duplicates and automatic follow-ups are not counted.")
        % {"days": queries.REPEAT_DAYS},
        _("Response time runs from submission to acceptance, completion time from "
          "submission to completion; on time means completed by the completion deadline. "
          "Tickets count in the period in which they were submitted."),
        _("Buildings with the most faults: repairs per building and category, without "
          "cancelled tickets, merged duplicates and automatic follow-ups."),
    ]


@dataclass
class Column:
    key: object
    label: str


class TicketReport:
    def __init__(self, user, period, community=None):
        self.period = period
        self.community = community
        tickets = queries.tickets_for_report(user, community)
        communities = Community.objects.visible_to(user)
        if community is not None:
            communities = communities.filter(pk=community.pk)
        self.columns = [Column(c.pk, c.name) for c in communities]
        if len(self.columns) > 1:
            self.columns.append(Column(queries.ALL, _("All communities")))
        self.figures = queries.figures_by_community(tickets, period)
        self.heat = queries.peak_hours(tickets, period)
        self.top = queries.top_buildings(tickets, period)
        self.total = self.figures[queries.ALL]

    def _column_figures(self):
        return [self.figures.get(column.key, queries.Figures()) for column in self.columns]

    def summary_rows(self):
        """(label, unit, values per column) for the headline figures."""
        columns = self._column_figures()
        return [
            (_("Tickets submitted"), "", [f.tickets for f in columns]),
            (_("Average response time"), _("min"),
             [f.average_response_minutes for f in columns]),
            (_("Average completion time"), _("h"),
             [f.average_completion_hours for f in columns]),
            (_("On-time rate"), "%", [f.on_time_rate for f in columns]),
            (_("Satisfaction rate"), "%", [f.satisfaction_rate for f in columns]),
            (_("Repeat-repair rate"), "%", [f.repeat_rate for f in columns]),
            (_("Rated tickets"), "", [f.rated for f in columns]),
            (_("Repairs counted for repeats"), "", [f.repairs for f in columns]),
        ]

    def category_rows(self):
        """(category, counts per column, bar width % of the largest total)."""
        ids = set(self.total.by_category)
        categories = TicketCategory.objects.filter(pk__in=ids).order_by("kind", "sort_order",
                                                                        "pk")
        return self._counted_rows(
            [(str(c), c.pk) for c in categories], lambda f: f.by_category)

    def state_rows(self):
        present = [(state.label, state.value) for state in State
                   if state.value in self.total.by_state]
        return self._counted_rows(present, lambda f: f.by_state)

    def _counted_rows(self, labelled_keys, counts_of):
        columns = self._column_figures()
        largest = max((counts_of(self.total).get(key, 0) for _label, key in labelled_keys),
                      default=0)
        return [(label, [counts_of(f).get(key, 0) for f in columns],
                 _width(counts_of(self.total).get(key, 0), largest))
                for label, key in labelled_keys]

    def heat_map(self):
        """Rows of (weekday label, [(hour, count, shade 0-100)])."""
        largest = max(self.heat.values(), default=0)
        return [(label, [(hour, self.heat.get((day, hour), 0),
                          _width(self.heat.get((day, hour), 0), largest)) for hour in HOURS])
                for day, label in enumerate(WEEKDAYS, start=1)]

    def heat_svg(self):
        """The heat map's geometry for an inline SVG: hour labels along the top, weekday
        labels down the side, one square per weekday and hour shaded by its count."""
        cells = []
        for row, (day, hours) in enumerate(self.heat_map()):
            for hour, count, shade in hours:
                cells.append({"x": HEAT_LEFT + hour * HEAT_STEP_X,
                              "y": HEAT_TOP + row * HEAT_STEP_Y, "day": day, "hour": hour,
                              "count": count, "opacity": f"{0.05 + 0.95 * shade / 100:.2f}"
                              if count else "0"})
        return {
            "width": HEAT_LEFT + 24 * HEAT_STEP_X, "height": HEAT_TOP + 7 * HEAT_STEP_Y,
            "hours": [(HEAT_LEFT + hour * HEAT_STEP_X + 14, f"{hour:02d}") for hour in HOURS],
            "days": [(HEAT_TOP + row * HEAT_STEP_Y + 15, day)
                     for row, day in enumerate(WEEKDAYS)],
            "cells": cells,
        }

    def building_rows(self):
        """(category, [(building label, count, bar width %)]) for each repair category
        that had faults."""
        building_ids = {b for rows in self.top.values() for b, _n in rows}
        buildings = {b.pk: b for b in Building.objects.filter(pk__in=building_ids)
                     .select_related("community")}
        several = len(self.columns) > 1
        categories = TicketCategory.objects.filter(pk__in=self.top).order_by("sort_order",
                                                                             "pk")
        result = []
        for category in categories:
            rows = self.top[category.pk]
            largest = rows[0][1]
            result.append((str(category), [
                (_building_label(buildings[b], several), n, _width(n, largest))
                for b, n in rows]))
        return result


def _building_label(building, with_community):
    return f"{building.community.name} {building.name}" if with_community else building.name


def _width(count, largest):
    return round(100 * count / largest) if largest else 0
