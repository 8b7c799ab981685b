"""Demo consultations: logged by the institution's specialists on approved plans, at most the setting's minutes
each, never two at once for one specialist, mostly confirmed by the learner within the setting's days.

Each consultation measure of an approved (later perhaps evaluated) plan gets a share of its planned hours as
sessions on school days between the plan's approval and the end of its term (or its evaluation, or today);
the measure's ``delivered_hours`` are then the confirmed minutes / 60, as the controller computes them.
"""

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from pumpurs_app.demo import bulk, catalog
from pumpurs_app.rules import consultations as consultation_rules
from pumpurs_app.rules import support_plans as rules

FIELDS = [
	"name",
	*bulk.STANDARD,
	"docstatus",
	"idx",
	"support_plan",
	"learner",
	"learner_name",
	"measure",
	"measure_description",
	"specialist",
	"specialist_name",
	"specialist_role",
	"institution",
	"partner",
	"school_term",
	"consultation_date",
	"start_time",
	"duration_minutes",
	"end_time",
	"mode",
	"remote_order_reference",
	"topic",
	"learner_confirmed",
	"confirmed_at",
]
DAY_STARTS = time(8, 0)
SLOTS_A_DAY = 11  # consultation slots of a specialist's day, from 8:00
DURATIONS = {40: 62, 30: 16, 35: 8, 25: 6, 20: 8}
REMOTE_SHARE = 0.07
CONFIRMED_SHARE = 0.94


def deliver(ctx, writer, plans: list) -> None:
	"""Consultations of the term's approved and evaluated plans, written in the order they were logged."""
	rng = ctx.rng
	slot_minutes = max(45, ctx.max_minutes + 5)
	offsets = range(0, slot_minutes - ctx.max_minutes + 1, 5)  # a late start still ends before the next slot
	durations = {m: w for m, w in DURATIONS.items() if m <= ctx.max_minutes} or {ctx.max_minutes: 1}
	busy: dict[tuple[str, date], set[int]] = defaultdict(set)
	orders: dict[str, str] = {}
	rows = []
	for plan in plans:
		if plan.state not in (rules.APPROVED, rules.EVALUATED):
			continue
		term, institution = plan.term, plan.institution
		first = plan.approved_at.date() + timedelta(days=1)
		last = min(term.end_date, ctx.today)
		if plan.evaluated_at:
			last = min(last, plan.evaluated_at.date() - timedelta(days=1))
		days = school_days(first, last)
		whole = len(school_days(first, term.end_date)) or 1
		for measure in plan.measures:
			if measure.kind != rules.CONSULTATION:
				continue
			people = [user for user, role in institution["specialists"] if role == measure.specialist_role]
			specialist = measure.specialist or (rng.choice(people) if people else None)
			if not specialist or not days:
				continue
			sessions = max(1, round(measure.planned_hours * 60 / 40))
			share = rng.betavariate(6, 1.6) * len(days) / whole
			minutes_confirmed = 0
			for day in sorted(rng.choices(days, k=round(sessions * share))):
				slot = free_slot(rng, busy, specialist, day, days)
				if slot is None:
					continue
				day, index = slot
				minutes = min(rng.choices(list(durations), list(durations.values()))[0], ctx.max_minutes)
				start = datetime.combine(day, DAY_STARTS) + timedelta(
					minutes=index * slot_minutes + rng.choice(offsets)
				)
				end = start + timedelta(minutes=minutes)
				if end > ctx.now:
					continue
				logged = min(end + timedelta(minutes=rng.randint(1, 90)), ctx.now)
				deadline = end + timedelta(days=ctx.confirmation_days)
				confirmed_at = None
				if rng.random() < CONFIRMED_SHARE and logged < min(deadline, ctx.now):
					latest = min(
						deadline,
						ctx.now,
						logged + timedelta(hours=rng.choice([1, 3, 8, 24 * ctx.confirmation_days])),
					)
					confirmed_at = logged + (latest - logged) * rng.random()
					confirmed_at = max(confirmed_at.replace(microsecond=0), end)
					consultation_rules.check_confirmation(
						consultation_rules.Slot("", day, start.time(), minutes),
						confirmed_at,
						ctx.confirmation_days,
					)
					minutes_confirmed += minutes
				remote = rng.random() < REMOTE_SHARE
				if remote and institution["name"] not in orders:
					orders[institution["name"]] = f"Rīkojums Nr. 1-13/{rng.randint(2, 60)}"
				rows.append(
					(logged, plan, measure, specialist, day, start, end, minutes, remote, confirmed_at)
				)
			measure.delivered_hours = round(minutes_confirmed / 60, 2)
	rows.sort(key=lambda row: row[0])
	for logged, plan, measure, specialist, day, start, end, minutes, remote, confirmed_at in rows:
		name = writer.consultation_series.next(f"KONS-{logged.year}-")
		institution = plan.institution
		writer.consultations.add(
			(
				name,
				*bulk.standard(specialist, logged, confirmed_at or logged, specialist),
				0,
				0,
				plan.name,
				plan.learner.name,
				plan.learner.full_name,
				measure.name,
				f"{measure.idx}. {ctx.lv(measure.specialist_role, 'Support Plan Measure')} — {measure.factor}",
				specialist,
				ctx.full_names.get(specialist),
				measure.specialist_role,
				institution["name"],
				institution["partner"],
				plan.term.name,
				day,
				start.time(),
				minutes,
				end.time(),
				"Remote" if remote else "In person",
				orders[institution["name"]] if remote else None,
				ctx.rng.choice(catalog.CONSULTATION_TOPICS.get(measure.specialist_role) or ["Konsultācija"]),
				int(confirmed_at is not None),
				confirmed_at,
			)
		)


@lru_cache(maxsize=4096)
def school_days(first: date, last: date) -> tuple[date, ...]:
	days, day = [], first
	while day <= last:
		if day.weekday() < 5:
			days.append(day)
		day += timedelta(days=1)
	return tuple(days)


def free_slot(
	rng: random.Random, busy: dict, specialist: str, day: date, days: tuple[date, ...]
) -> tuple[date, int] | None:
	"""A slot of the specialist's day nobody else has (slots never overlap); another school day if full."""
	for candidate in [day, *rng.sample(days, min(5, len(days)))]:
		taken = busy[(specialist, candidate)]
		free = [i for i in range(SLOTS_A_DAY) if i not in taken]
		if free:
			index = rng.choice(free)
			taken.add(index)
			return candidate, index
	return None
