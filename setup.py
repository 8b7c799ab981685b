import re
from pathlib import Path

from setuptools import find_packages, setup

# read, not imported: PEP 517 builds do not put the project on sys.path
__version__ = re.search(
	r'__version__ = "(.+)"', (Path(__file__).parent / "pumpurs_app/__init__.py").read_text()
)[1]

setup(
	name="pumpurs_app",
	version=__version__,
	description="PuMPuRS: individual support plans, compensations and reporting for the Latvian programme against early school leaving",
	author="pumpurs_app developers",
	author_email="dev@pumpurs.invalid",
	license="MIT",
	python_requires=">=3.10,<3.13",
	packages=find_packages(exclude=["tests", "tests.*", "benchmarks", "dev"]),
	include_package_data=True,
	zip_safe=False,
	install_requires=[
		# frappe itself is installed by bench (see pyproject.toml [tool.bench.frappe-dependencies])
		"python-stdnum>=1.18,<3",  # Latvian personal codes and registration numbers
		"schwifty>=2024.1.1",  # IBAN / BIC
		"sepaxml>=2.6,<3",  # SEPA pain.001 credit transfers
		"lxml>=4.9",  # validating them against sepaxml's schema (libxml2)
		"openpyxl>=3.1,<4",  # Excel templates and workbooks
		"python-calamine>=0.3,<1",  # reading uploaded learner workbooks (Rust's calamine, ten times openpyxl's speed)
		"defusedxml>=0.7,<1",  # uploaded XML: no entity expansion, no external entities (openpyxl uses it too)
		"Faker>=18",  # demo data (lv_LV)
	],
)
