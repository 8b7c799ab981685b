"""Logged consultations: how long, when, without overlaps, confirmed by the learner in time."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from pumpurs_app.rules.errors import RuleViolation


@dataclass(frozen=True)
class Slot:
	name: str
	day: date
	start: time
	minutes: int

	@property
	def begins(self) -> datetime:
		return datetime.combine(self.day, self.start)

	@property
	def ends(self) -> datetime:
		return self.begins + timedelta(minutes=self.minutes)


def check_duration(minutes: int, maximum: int) -> None:
	if not minutes or minutes <= 0:
		raise RuleViolation("A consultation lasts at least one minute.")
	if minutes > maximum:
		raise RuleViolation(
			"A consultation lasts at most {maximum} minutes; this one lasts {minutes}.",
			maximum=maximum,
			minutes=minutes,
		)


def end_time(slot: Slot) -> time:
	if slot.ends.date() != slot.day:
		raise RuleViolation("A consultation must end on the day it starts.")
	return slot.ends.time()


def clashes(slot: Slot, others: list[Slot]) -> list[Slot]:
	"""The specialist's other consultations that overlap this one (touching end to start is fine)."""
	return [o for o in others if o.name != slot.name and o.begins < slot.ends and slot.begins < o.ends]


def check_in_term(day: date, start: date, end: date, term: str) -> None:
	if not start <= day <= end:
		raise RuleViolation(
			"The consultation date {day} is outside the plan's term {term} ({start} – {end}).",
			day=day.isoformat(),
			term=term,
			start=start.isoformat(),
			end=end.isoformat(),
		)


def check_confirmation(slot: Slot, confirmed_at: datetime, within_days: int) -> None:
	"""The learner confirms after the consultation has ended, within the allowed number of days."""
	if confirmed_at < slot.ends:
		raise RuleViolation("The learner cannot confirm a consultation before it has ended.")
	if confirmed_at > slot.ends + timedelta(days=within_days):
		raise RuleViolation(
			"The learner must confirm within {days} day(s) of the consultation; this confirmation came on {when}.",
			days=within_days,
			when=confirmed_at.strftime("%Y-%m-%d %H:%M"),
		)
