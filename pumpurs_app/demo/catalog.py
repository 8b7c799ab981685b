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
	"Aizkraukles",
	"Alūksnes",
	"Augšdaugavas",
	"Ādažu",
	"Balvu",
	"Bauskas",
	"Cēsu",
	"Dienvidkurzemes",
	"Dobeles",
	"Gulbenes",
	"Jelgavas",
	"Jēkabpils",
	"Krāslavas",
	"Kuldīgas",
	"Ķekavas",
	"Limbažu",
	"Līvānu",
	"Ludzas",
	"Madonas",
	"Mārupes",
	"Ogres",
	"Olaines",
	"Preiļu",
	"Rēzeknes",
	"Ropažu",
	"Salaspils",
	"Saldus",
	"Saulkrastu",
	"Siguldas",
	"Smiltenes",
	"Talsu",
	"Tukuma",
	"Valkas",
	"Valmieras",
	"Varakļānu",
	"Ventspils",
]
MUNICIPALITIES = STATE_CITIES + [(f"{name} novada", f"{name} novada pašvaldība") for name in COUNTIES]

STATE_VOCATIONAL_SCHOOLS = [
	"Rīgas Valsts tehnikums",
	"Rīgas Tehniskā koledža",
	"Rīgas Mākslas un mediju tehnikums",
	"Rīgas Tūrisma un radošās industrijas tehnikums",
	"Rīgas Stila un modes tehnikums",
	"Rīgas Celtniecības koledža",
	"Liepājas Valsts tehnikums",
	"Ventspils Tehnikums",
	"Jelgavas Tehnikums",
	"Ogres tehnikums",
	"Valmieras tehnikums",
	"Daugavpils Būvniecības tehnikums",
	"Daugavpils tehnikums",
	"Kandavas Lauksaimniecības tehnikums",
	"Kuldīgas Tehnoloģiju un tūrisma tehnikums",
	"Saldus tehnikums",
	"Smiltenes tehnikums",
	"Priekuļu tehnikums",
	"Rēzeknes tehnikums",
	"Malnavas koledža",
	"Bulduru Dārzkopības vidusskola",
	"Vidzemes Tehnoloģiju un dizaina tehnikums",
	"Jēkabpils Agrobiznesa koledža",
	"Aizkraukles profesionālā vidusskola",
	"Viduslatvijas tehnikums",
	"Rīgas Amatniecības vidusskola",
	"Rīgas 3. arodskola",
	"Daugavpils Tirdzniecības tehnikums",
	"Liepājas Mūzikas, mākslas un dizaina vidusskola",
	"Ērgļu profesionālā vidusskola",
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
	"Teacher",
	"Psychologist",
	"Social Pedagogue",
	"Teacher's Assistant",
	"Special Education Teacher",
	"Sign Language Interpreter",
	"Assistant",
	"Occupational Therapist",
]
STREETS = [
	"Skolas iela",
	"Brīvības iela",
	"Rīgas iela",
	"Pils iela",
	"Dzirnavu iela",
	"Parka iela",
	"Liepu iela",
]
# how often each role is a school's second support specialist (every school has a psychologist)
SECOND_SPECIALIST_WEIGHTS = [35, 5, 25, 10, 12, 2, 6, 5]

# --- support plans ------------------------------------------------------------------------------------------
# what plan authors write about a risk (the record's Latvian content, not interface text)
RISK_OBSERVATIONS = {
	"Unexcused absences": [
		"Bieži kavē pirmās stundas, īpaši pirmdienās.",
		"Semestrī vairāk nekā 20 neattaisnotas stundas.",
		"Kavē matemātikas un fizikas stundas.",
	],
	"Learning difficulties": [
		"Nepietiekami vērtējumi matemātikā un latviešu valodā.",
		"Grūtības ar lasītprasmi un teksta izpratni.",
		"Nesekmīgs divos mācību priekšmetos.",
	],
	"Low learning motivation": [
		"Nepilda mājas darbus, stundās neiesaistās.",
		"Saka, ka mācības nav vajadzīgas; domā pamest skolu.",
	],
	"Conflicts with classmates or teachers": [
		"Atkārtoti konflikti ar klasesbiedriem starpbrīžos.",
		"Konflikts ar klases audzinātāju.",
	],
	"Violence": [
		"Cietis no vienaudžu ņirgāšanās sociālajos tīklos.",
		"Fiziska vardarbība pret klasesbiedru.",
	],
	"Special needs": [
		"Ir PMK atzinums par mācīšanās traucējumiem.",
		"Redzes traucējumi, nepieciešami pielāgojumi.",
	],
	"Long illness": ["Ilgstoši slimojis, atpalicis mācībās.", "Hroniska slimība, bieži ārstējas slimnīcā."],
	"Pregnancy or small children": ["Gaida bērnu; grūtības apmeklēt nodarbības.", "Audzina mazu bērnu."],
	"Marriage or relationships": ["Attiecību krīze ietekmē mācības."],
	"Addiction": ["Pazīmes par atkarību no azartspēlēm.", "Smēķē un lieto enerģijas dzērienus."],
	"Ill parents or relatives": ["Aprūpē slimu vecmāmiņu.", "Mātei ilgstoša slimība."],
	"Hard to get to school": [
		"Dzīvo 25 km no skolas, sabiedriskais transports kursē reti.",
		"Nav tiešā autobusa uz skolu.",
	],
	"Material conditions": [
		"Ģimenei trūkst līdzekļu mācību piederumiem.",
		"Daudzbērnu ģimene ar zemiem ienākumiem.",
	],
	"Duties at home": ["Pieskata jaunākos brāļus un māsas.", "Palīdz saimniecībā, kavē stundas."],
	"Family crisis": ["Vecāki šķiras.", "Ģimenē nesen miris tuvinieks."],
	"Parents working abroad": ["Abi vecāki strādā ārzemēs, dzīvo pie vecmāmiņas.", "Tēvs strādā Norvēģijā."],
	"Lack of parental support": [
		"Vecāki neierodas uz sarunām, nesazinās ar skolu.",
		"Vecāki neseko līdzi mācībām.",
	],
}
# how often plans name each factor within its risk group (factors an administrator adds later weigh 1)
RISK_FACTOR_WEIGHTS = {
	"Unexcused absences": 30,
	"Learning difficulties": 32,
	"Low learning motivation": 24,
	"Conflicts with classmates or teachers": 10,
	"Violence": 4,
	"Special needs": 30,
	"Long illness": 25,
	"Pregnancy or small children": 8,
	"Marriage or relationships": 5,
	"Addiction": 12,
	"Ill parents or relatives": 20,
	"Hard to get to school": 45,
	"Material conditions": 40,
	"Duties at home": 15,
	"Family crisis": 35,
	"Parents working abroad": 35,
	"Lack of parental support": 30,
}
# specialist roles of consultations by risk group (only roles the institution has are used)
CONSULTATION_ROLES = {
	"Learning and school environment": {
		"Teacher": 40,
		"Psychologist": 12,
		"Social Pedagogue": 10,
		"Special Education Teacher": 12,
		"Teacher's Assistant": 10,
		"Assistant": 4,
		"Occupational Therapist": 2,
		"Sign Language Interpreter": 1,
	},
	"Social environment and health": {
		"Psychologist": 40,
		"Social Pedagogue": 25,
		"Occupational Therapist": 10,
		"Special Education Teacher": 8,
		"Assistant": 8,
		"Sign Language Interpreter": 4,
		"Teacher": 5,
	},
	"Economic": {"Social Pedagogue": 60, "Psychologist": 20, "Teacher": 20},
	"Family": {"Social Pedagogue": 50, "Psychologist": 45, "Teacher": 5},
}
# planned consultation hours in a semester (a consultation lasts up to 40 minutes)
PLANNED_HOURS = {2: 15, 3: 25, 4: 25, 5: 15, 6: 12, 8: 8}
FREQUENCIES = ["1 reizi nedēļā", "2 reizes mēnesī", "1 reizi mēnesī", "2 reizes nedēļā", "pēc vajadzības"]
# compensation types by risk factor, and their usual amount for a semester (EUR, low..high)
COMPENSATIONS = {
	"Hard to get to school": {"Public transport tickets": 75, "Special transport": 10, "Accommodation": 15},
	"Material conditions": {"Meals": 40, "Individual-use items": 30, "Individual learning materials": 30},
	"Duties at home": {"Meals": 60, "Individual-use items": 40},
	"Special needs": {"Special transport": 50, "Individual learning materials": 50},
	"Long illness": {"Special transport": 40, "Individual learning materials": 60},
	"Pregnancy or small children": {"Individual-use items": 60, "Public transport tickets": 40},
	"Ill parents or relatives": {"Meals": 60, "Public transport tickets": 40},
}
COMPENSATION_AMOUNTS = {
	"Public transport tickets": (60, 220),
	"Special transport": (150, 600),
	"Accommodation": (80, 240),
	"Meals": (100, 220),
	"Individual learning materials": (20, 90),
	"Individual-use items": (40, 160),
}
COMPENSATION_FREQUENCIES = ["katru mēnesi", "vienu reizi semestrī", "pēc čekiem"]
# why approvers returned or rejected a plan
RETURN_REASONS = [
	"Precizējiet konsultāciju biežumu un plānotās stundas.",
	"Nav pamatota kompensācijas summa; pievienojiet aprēķinu.",
	"Riska novērojumi ir pārāk vispārīgi, papildiniet.",
	"Pasākums nesaskan ar norādīto riska faktoru.",
	"Norādiet, kurš speciālists vadīs konsultācijas.",
]
REJECT_REASONS = [
	"Izglītojamajam šajā semestrī jau tiek sniegts atbalsts no citiem līdzekļiem.",
	"Riski nav pamatoti ar novērojumiem; atbalsts nav nepieciešams.",
	"Izglītojamais pārgājis uz citu izglītības iestādi.",
	"Plāns dublē citu šī semestra plānu.",
]
EVALUATION_NOTES = {
	"Reduced": [
		"Kavējumu skaits būtiski samazinājies, sekmes uzlabojušās.",
		"Izglītojamais regulāri apmeklēja konsultācijas, vērtējumi uzlabojās.",
		"Situācija stabilizējusies, izglītojamais turpina mācības.",
	],
	"Unchanged": [
		"Būtisku pārmaiņu nav, atbalstu turpināt nākamajā semestrī.",
		"Konsultācijas apmeklēja neregulāri; riski saglabājas.",
	],
	"Increased": [
		"Situācija pasliktinājusies, nepieciešama sadarbība ar sociālo dienestu.",
		"Kavējumi pieauguši; sazināties ar ģimeni.",
	],
}
# what consultations were about, by specialist role
CONSULTATION_TOPICS = {
	"Teacher": [
		"Matemātikas tēmas atkārtošana",
		"Latviešu valoda: lasītprasme",
		"Angļu valodas gramatika",
		"Gatavošanās pārbaudes darbam",
		"Nepabeigto darbu kārtošana",
		"Dabaszinību uzdevumu risināšana",
		"Mājas darbu plānošana",
	],
	"Psychologist": [
		"Emociju pašregulācija",
		"Trauksmes mazināšana",
		"Mācību motivācija",
		"Attiecības ar vienaudžiem",
		"Stresa pārvarēšana pirms pārbaudes darbiem",
	],
	"Social Pedagogue": [
		"Kavējumu iemeslu pārrunāšana",
		"Saskarsme ar klasesbiedriem",
		"Dienas režīma plānošana",
		"Saruna ar vecākiem par sadarbību",
		"Konflikta risināšana",
	],
	"Teacher's Assistant": ["Atbalsts mācību stundas uzdevumu izpildē", "Mācību materiālu sagatavošana"],
	"Special Education Teacher": [
		"Lasīšanas un rakstīšanas prasmju attīstīšana",
		"Individuāls darbs pēc pielāgojumiem",
	],
	"Sign Language Interpreter": ["Tulkojums konsultācijā ar priekšmeta skolotāju"],
	"Assistant": ["Atbalsts pārvietošanās un pašaprūpes jautājumos"],
	"Occupational Therapist": ["Sīkās motorikas vingrinājumi", "Darba vietas pielāgošana"],
}

# --- youth NGO projects -------------------------------------------------------------------------------------
NGO_KINDS = ["Biedrība", "Biedrība", "Biedrība", "Nodibinājums", "Jauniešu organizācija"]
NGO_NAMES = [
	"Jauniešu iniciatīvu centrs",
	"Apvārsnis",
	"Jaunatnes forums",
	"Radošā darbnīca",
	"Piedzīvojumu klubs",
	"Mēs – jaunieši",
	"Zaļais solis",
	"Sporta klubs Kustība",
	"Jauniešu māja",
	"Atbalsta punkts",
	"Brīvprātīgo kustība",
	"Kopā varam",
	"Teātra studija Spārni",
	"Digitālā skola",
	"Ceļš uz nākotni",
]
NGO_TITLES = [
	"Jauniešu līderības skola",
	"Radošo darbnīcu cikls „Es varu!”",
	"Sporta un piedzīvojumu nometne",
	"Brīvprātīgā darba programma jauniešiem",
	"Karjeras iespēju darbnīcas",
	"Digitālo prasmju klubs",
	"Vides izglītības projekts „Zaļais solis”",
	"Teātra studija jauniešiem",
	"Mentoru programma „Blakus”",
	"Jauniešu medijs „Mūsu balss”",
	"Kustību un veselības nodarbības",
	"Amatu prasmju darbnīcas",
]
NGO_DESCRIPTIONS = [
	"Nodarbības divas reizes nedēļā pēc stundām; jaunieši paši plāno aktivitātes.",
	"Projekta laikā jaunieši iepazīst profesijas un tiekas ar darba devējiem.",
	"Izbraukuma nodarbības un nometne brīvdienās; vada pieredzējuši jaunatnes darbinieki.",
	"Jaunieši kopā ar mentoriem īsteno savas idejas vietējā kopienā.",
]

# --- compensations ------------------------------------------------------------------------------------------
# what a claim's lines say (the record's Latvian content), by compensation type
TICKET_PRICES = [0.80, 0.95, 1.15, 1.40, 1.75, 2.10, 2.60]  # one regional bus or train trip, EUR
TICKET_LINES = [
	"Autobusa biļetes mājas – skola – mājas",
	"Reģionālā autobusa biļetes (2 braucieni)",
	"Vilciena biļetes uz skolu un atpakaļ",
]
SPECIAL_TRANSPORT_PRICES = (18, 38)  # one trip to school and back, EUR
SPECIAL_TRANSPORT_LINES = [
	"Speciālā transporta brauciens uz skolu un atpakaļ",
	"Pārvadājums ar pielāgotu transportlīdzekli",
]
ACCOMMODATION_LINE = "Dienesta viesnīca, {month}"
MEAL_LINES = {1: "Pusdienas", 2: "Brokastis un pusdienas"}
# items bought: (description, lowest, highest price in EUR)
LEARNING_MATERIALS = [
	("Darba burtnīcu komplekts", 12, 35),
	("Kalkulators", 14, 26),
	("Rakstāmpiederumi", 6, 15),
	("Ģeogrāfijas atlants", 9, 14),
	("Zīmēšanas piederumi", 8, 22),
	("Vārdnīca", 11, 24),
	("Mācību grāmata", 10, 28),
]
PERSONAL_ITEMS = [
	("Ziemas zābaki", 35, 70),
	("Virsjaka", 40, 90),
	("Sporta apavi", 25, 50),
	("Sporta tērps", 20, 45),
	("Higiēnas preces", 8, 20),
	("Skolas soma", 20, 45),
]
# companies a claim may pay instead of the family or the school (made-up names)
SUPPLIERS = {
	"Public transport tickets": ["SIA „Reģionālie pārvadājumi”"],
	"Special transport": [
		"SIA „Drošais pārvadātājs”",
		"SIA „Taksometru centrs”",
		"Biedrība „Atbalsts kustībā”",
	],
	"Accommodation": ["SIA „Jauniešu mītne”", "SIA „Viesnīca Centrs”"],
	"Meals": ["SIA „Skolas ēdnīca”", "SIA „Pusdienu laiks”", "SIA „Garšīgi”"],
	"Individual learning materials": ["SIA „Grāmatu nams”", "SIA „Mācību līdzekļi”"],
	"Individual-use items": ["SIA „Apģērbu bāze”", "SIA „Sporta preces”"],
}
MONTHS_LV = [
	"janvāris",
	"februāris",
	"marts",
	"aprīlis",
	"maijs",
	"jūnijs",
	"jūlijs",
	"augusts",
	"septembris",
	"oktobris",
	"novembris",
	"decembris",
]
# why a verifier returned a claim, and what its enterer wrote when sending it again: for travel, for purchases
CLAIM_RETURNS = {
	"travel": [
		("Pievienojiet biļetes par visām norādītajām dienām.", "Pievienotas trūkstošās biļetes."),
		("Precizējiet braucienu skaitu katrā dienā.", "Braucienu skaits precizēts pēc biļetēm."),
		("Saņēmēja konts jāpārbauda ar vecāku iesniegumu.", "Konts pārbaudīts ar vecāku iesniegumu."),
	],
	"purchases": [
		(
			"Čekā nav redzams pirkuma datums; pievienojiet skaidrāku kopiju.",
			"Pievienota skaidrāka čeka kopija.",
		),
		("Precizējiet, par kuru periodu ir rēķins.", "Periods precizēts pēc rēķina."),
		("Saņēmēja konts jāpārbauda ar vecāku iesniegumu.", "Konts pārbaudīts ar vecāku iesniegumu."),
	],
}
CLAIM_REJECTIONS = {
	"travel": [
		"Šie braucieni jau kompensēti ar citu pieteikumu.",
		"Periodā izglītojamais mācījās attālināti; transports netika izmantots.",
	],
	"purchases": [
		"Šie izdevumi jau kompensēti ar citu pieteikumu.",
		"Čeki nav par izglītojamā izdevumiem.",
		"Rēķins izrakstīts par cita mācību gada periodu.",
	],
}
