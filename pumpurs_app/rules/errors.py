class RuleViolation(ValueError):
	"""A business rule refused a value.

	``message`` is an English template with named placeholders; it is also the key of its Latvian translation
	in ``translations/lv.csv``, so callers translate the template first and format it afterwards.
	"""

	def __init__(self, message: str, **params: object) -> None:
		self.message = message
		self.params = params
		super().__init__(message.format(**params))
