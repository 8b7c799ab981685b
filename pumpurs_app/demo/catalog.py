"""Real names the demo data is built from: Latvia's 43 municipalities (after the 2021 territorial reform) and
state vocational schools. Registration numbers are generated (valid check digits, not the real ones)."""

# (genitive used in school names, official name of the municipality)
STATE_CITIES = [
	("Rīgas", "Rīgas valstspilsētas pašvaldība"),
	("Daugavpils", "Daugavpils valstspilsētas pašvaldība"),
	("Jelgavas", "Jelgavas valstspilsētas pašvaldība"),
	("Jūrmalas", "Jūrmalas valstspilsētas pašvaldība"),
	("Liepājas", "Liepājas valstspilsētas pašvaldība"),
	("Rēzeknes", "Rēzeknes valstspilsētas pašvaldība"),
	("Ventspils", "Ventspils valstspilsētas pašvaldība"),
]
COUNTIES = [
	"Aizkraukles", "Alūksnes", "Augšdaugavas", "Ādažu", "Balvu", "Bauskas", "Cēsu", "Dienvidkurzemes",
	"Dobeles", "Gulbenes", "Jelgavas", "Jēkabpils", "Krāslavas", "Kuldīgas", "Ķekavas", "Limbažu", "Līvānu",
	"Ludzas", "Madonas", "Mārupes", "Ogres", "Olaines", "Preiļu", "Rēzeknes", "Ropažu", "Salaspils", "Saldus",
	"Saulkrastu", "Siguldas", "Smiltenes", "Talsu", "Tukuma", "Valkas", "Valmieras", "Varakļānu", "Ventspils",
]
MUNICIPALITIES = STATE_CITIES + [(f"{name} novada", f"{name} novada pašvaldība") for name in COUNTIES]

STATE_VOCATIONAL_SCHOOLS = [
	"Rīgas Valsts tehnikums", "Rīgas Tehniskā koledža", "Rīgas Mākslas un mediju tehnikums",
	"Rīgas Tūrisma un radošās industrijas tehnikums", "Rīgas Stila un modes tehnikums",
	"Rīgas Celtniecības koledža", "Liepājas Valsts tehnikums", "Ventspils Tehnikums", "Jelgavas Tehnikums",
	"Ogres tehnikums", "Valmieras tehnikums", "Daugavpils Būvniecības tehnikums", "Daugavpils tehnikums",
	"Kandavas Lauksaimniecības tehnikums", "Kuldīgas Tehnoloģiju un tūrisma tehnikums", "Saldus tehnikums",
	"Smiltenes tehnikums", "Priekuļu tehnikums", "Rēzeknes tehnikums", "Malnavas koledža",
	"Bulduru Dārzkopības vidusskola", "Vidzemes Tehnoloģiju un dizaina tehnikums",
	"Jēkabpils Agrobiznesa koledža", "Aizkraukles profesionālā vidusskola", "Viduslatvijas tehnikums",
	"Rīgas Amatniecības vidusskola", "Rīgas 3. arodskola", "Daugavpils Tirdzniecības tehnikums",
	"Liepājas Mūzikas, mākslas un dizaina vidusskola", "Ērgļu profesionālā vidusskola",
]

# school kinds: (name pattern, education type, grades taught)
GENERAL_SCHOOL_KINDS = [
	("{town} {n}. vidusskola", "General", range(1, 13)),
	("{town} {n}. pamatskola", "General", range(1, 10)),
	("{town} {n}. sākumskola", "General", range(1, 7)),
	("{town} {n}. ģimnāzija", "General", range(7, 13)),
	("{town} {n}. tehnoloģiju vidusskola", "Both", range(1, 13)),
]

SPECIALIST_ROLES = [
	"Teacher", "Psychologist", "Social Pedagogue", "Teacher's Assistant", "Special Education Teacher",
	"Sign Language Interpreter", "Assistant", "Occupational Therapist",
]
STREETS = ["Skolas iela", "Brīvības iela", "Rīgas iela", "Pils iela", "Dzirnavu iela", "Parka iela", "Liepu iela"]
