"""The starter glossary: words and phrases in sv/en/ar/fi/so/fa, as plain data.

Written as people type them; `normalize` is applied when the matcher is built, so accents,
Arabic diacritics and letter variants need no second spelling here. Inflections that are a
base word plus a common ending ("workshops", "panelen", "tiistaina") are found by the matcher
and need no entry either. Kept as data so that organisers can later edit it from the database.
"""

from __future__ import annotations

# fmt: off

RELATIVE_DAYS: dict[int, list[str]] = {
    0: [
        "idag", "i dag", "idag", "dagens", "today", "today's", "todays", "اليوم", "هذا اليوم", "tänään",
        "tänä päivänä", "maanta", "maantay", "امروز", "lyom", "elyom", "el yom", "2day", "al yom", "alyoum", "lyoum",
        "emrooz",
        "emruz",
        "el yom", "lyoum", "tänää", "idag då",
    ],
    1: [
        "imorgon", "i morgon", "imorn", "i morn", "imorrn", "i morrn", "imorron", "morgondagen",
        "tomorrow", "tmrw", "tmr", "tomorow", "tommorow", "2moro", "2morrow", "2mrw", "غدا", "بكره", "بكرا", "الغد",
        "يوم غد",
        "huomenna", "huomisen", "huominen", "berri", "berrito", "فردا", "bukra", "bokra", "bukraa", "bkra", "fardaa",
        "bukrah", "bokrah",
        "farda",
    ],
    2: [
        "i övermorgon", "övermorgon", "day after tomorrow", "the day after tomorrow", "بعد غد", "بعد الغد",
        "بعد بكره", "ylihuomenna", "saadambe", "saa dambe", "پس فردا", "پسفردا",
    ],
    -1: [
        "igår", "i går", "yesterday", "امس", "البارحه", "eilen", "shalay", "دیروز",
    ],
}

# Monday is 0, as in datetime.weekday().
WEEKDAYS: dict[int, list[str]] = {
    0: [
        "måndag", "monday", "mon", "الاثنين", "الإثنين", "يوم الاثنين", "maanantai", "isniin", "isniinta",
        "دوشنبه", "دو شنبه",
        "ithnein", "etnen", "l etnen", "el ithnein",
    ],
    1: [
        "tisdag", "tuesday", "tues", "tue", "الثلاثاء", "ثلاثاء", "tiistai", "talaado", "talaadada", "سه شنبه",
        "سهشنبه",
        "tlata", "talata", "el tlata",
    ],
    2: [
        "onsdag", "wednesday", "weds", "wed", "الأربعاء", "اربعاء", "keskiviikko", "arbaco", "arbacada",
        "چهارشنبه", "چهار شنبه",
        "arba3a", "arb3a", "el arba3a",
    ],
    3: [
        "torsdag", "thursday", "thurs", "thu", "الخميس", "خميس", "torstai", "khamiis", "khamiista", "پنجشنبه",
        "پنج شنبه",
        "khamis", "5amis", "el khamis",
    ],
    4: [
        "fredag", "friday", "الجمعة", "جمعه", "perjantai", "jimce", "jimcaha", "جمعه", "jum3a", "jom3a", "jume3a",
        "el jum3a", "yom el jum3a", "perjantaina", "perjantaille",
    ],
    5: ["lördag", "saturday", "sat", "السبت", "سبت", "lauantai", "sabti", "sabtida", "شنبه", "sabt", "el sabt"],
    6: ["söndag", "sunday", "sun", "الأحد", "يوم الاحد", "sunnuntai", "axad", "axada", "یکشنبه", "یک شنبه", "a7ad",
        "el a7ad"],
}

MONTHS: dict[int, list[str]] = {
    1: ["januari", "january", "jan", "يناير", "كانون الثاني", "tammikuu", "tammikuuta", "janaayo", "ژانویه"],
    2: ["februari", "february", "feb", "فبراير", "شباط", "helmikuu", "helmikuuta", "febraayo", "فوریه"],
    3: ["mars", "march", "mar", "مارس", "آذار", "maaliskuu", "maaliskuuta", "maarso", "مارس"],
    4: ["april", "apr", "أبريل", "ابريل", "نيسان", "huhtikuu", "huhtikuuta", "abriil", "آوریل"],
    5: ["maj", "may", "مايو", "أيار", "toukokuu", "toukokuuta", "maajo", "مه", "می"],
    6: ["juni", "june", "jun", "يونيو", "حزيران", "kesäkuu", "kesäkuuta", "juun", "ژوئن"],
    7: ["juli", "july", "jul", "يوليو", "تموز", "heinäkuu", "heinäkuuta", "luulyo", "ژوئیه"],
    8: ["augusti", "august", "aug", "أغسطس", "آب", "elokuu", "elokuuta", "agoosto", "اوت"],
    9: ["september", "sep", "sept", "سبتمبر", "أيلول", "syyskuu", "syyskuuta", "sebtembar", "سپتامبر"],
    10: ["oktober", "october", "oct", "okt", "أكتوبر", "تشرين الأول", "lokakuu", "lokakuuta", "oktoobar", "اکتبر"],
    11: ["november", "nov", "نوفمبر", "تشرين الثاني", "marraskuu", "marraskuuta", "nofembar", "نوامبر"],
    12: ["december", "dec", "ديسمبر", "كانون الأول", "joulukuu", "joulukuuta", "diseembar", "دسامبر"],
}

# The festival's own first and last day, whatever their dates.
FESTIVAL_DAYS: dict[str, list[str]] = {
    "first": [
        "första dagen", "första festivaldagen", "dag ett", "first day", "the first day", "day one", "day 1",
        "opening day", "اليوم الأول", "أول يوم", "اول يوم", "ensimmäinen päivä", "ensimmäisenä päivänä",
        "avajaispäivä", "maalinta koowaad", "maalinta ugu horeysa", "maalinta kowaad", "روز اول", "اولین روز",
    ],
    "last": [
        "sista dagen", "sista festivaldagen", "last day", "the last day", "final day", "closing day",
        "اليوم الأخير", "آخر يوم", "اخر يوم", "viimeinen päivä", "viimeisenä päivänä", "maalinta ugu dambeysa",
        "maalinta ugu dambaysa", "maalinta u dambeysa", "روز آخر", "آخرین روز",
    ],
}

# Spans of days relative to today.
PERIODS: dict[str, list[str]] = {
    "weekend": [
        "wknd", "wkend", "weeknd",
        "helgen", "i helgen", "helg", "till helgen", "på helgen", "veckoslutet", "weekend", "this weekend",
        "the weekend", "at the weekend", "on the weekend", "عطلة نهاية الأسبوع", "نهاية الأسبوع",
        "الويكند", "ويكند", "العطلة", "viikonloppu", "viikonloppuna", "tänä viikonloppuna",
        "dhammaadka toddobaadka", "dhamaadka usbuuca", "fasaxa usbuuca", "آخر هفته", "تعطیلات آخر هفته",
    ],
    "this_week": [
        "i veckan", "den här veckan", "denna vecka", "under veckan", "hela veckan", "this week",
        "all week", "هذا الأسبوع", "tällä viikolla", "toddobaadkan", "usbuucan", "این هفته",
    ],
    "next_week": [
        "nästa vecka", "next week", "الأسبوع القادم", "الاسبوع المقبل", "ensi viikolla",
        "toddobaadka soo socda", "هفته بعد", "هفته آینده",
    ],
}

PARTS_OF_DAY: dict[str, list[str]] = {
    "morning": [
        "morgon", "morgonen", "på morgonen", "förmiddag", "förmiddagen", "bitti", "morgnar", "morning",
        "mornings", "in the morning", "before lunch", "صباح", "الصباح", "صباحا", "الصبح", "الضحى", "aamu",
        "aamulla", "aamupäivä", "aamupäivällä", "subax", "subaxda", "subaxnimo", "aroor", "صبح", "صبحها",
        "قبل از ظهر",
        "sob7", "el sob7", "sabah", "el sabah", "aamupäiväl", "صبح زود",
    ],
    "afternoon": [
        "eftermiddag", "eftermiddagen", "på eftermiddagen", "efter lunch", "afternoon", "afternoons",
        "in the afternoon", "after lunch", "بعد الظهر", "بعد الظهيرة", "الظهر", "العصر", "iltapäivä",
        "iltapäivällä", "galab", "galabta", "galabnimo", "duhur", "duhurkii", "بعد از ظهر", "بعدازظهر",
        "عصر",
    ],
    "evening": [
        "kväll", "kvällen", "på kvällen", "kvällar", "kvällstid", "natt", "natten", "evening", "evenings",
        "in the evening", "night", "at night", "مساء", "المساء", "مساءا", "الليل", "ليلا", "السهرة",
        "ilta", "illalla", "iltaisin", "yöllä", "fiid", "fiidka", "fiidkii", "habeen", "habeenkii",
        "habeenka", "شب", "شبها", "عصرگاه",
        "bel lel", "bil lail", "bel leil", "el lel", "masa", "el masa", "bel masa", "المسا", "بالليل", "illal",
    ],
}

# Today plus a part of the day in one word.
TODAY_PARTS: dict[str, list[str]] = {
    "morning": ["i morse", "imorse", "this morning", "هذا الصباح", "tänä aamuna", "saaka", "امروز صبح"],
    "afternoon": [
        "i eftermiddag", "this afternoon", "هذا العصر", "tänään iltapäivällä", "galabta maanta",
        "امروز بعدازظهر", "امروز عصر",
    ],
    "evening": [
        "ikväll", "i kväll", "ikväl", "ikvll", "2nite", "2night", "tnite", "emshab", "i natt", "inatt", "tonight",
        "tonite", "this evening",
        "tonights", "tonight's", "الليلة", "هذه الليلة", "هذا المساء", "مساء اليوم", "tänä iltana",
        "tänään illalla", "tänä yönä", "caawa", "caawo", "fiidka maanta", "habeenka maanta", "امشب",
        "امروز عصر",
    ],
}

NOW: list[str] = [
    "just nu", "nu", "pågår", "pågående", "för tillfället", "i detta nu", "nuförtiden", "now", "right now",
    "currently", "at the moment", "ongoing", "going on now", "happening now", "الآن", "حاليا", "الحين",
    "هلق", "هسه", "في هذه اللحظة", "nyt", "juuri nyt", "parhaillaan", "tällä hetkellä", "käynnissä",
    "hadda", "haatan", "xilligan", "imika", "rn", "rite now", "alan", "atm", "hala2", "halla2", "alhin", "اکنون",
    "شغال", "شغاله",
    "همین الان",
    "هسا", "هلأ", "تو این لحظه", "nyt heti",
    "حالا", "الان", "همین حالا", "در جریان", "در حال برگزاری",
]

NEXT: list[str] = [
    "härnäst", "nästa", "snart", "strax", "senare", "kommande", "efter det", "next", "soon", "upcoming",
    "coming up", "later", "after this", "what's next", "ماذا بعد", "شو بعدين", "وبعدين", "بعدی چیه", "what's after",
    "التالي", "التالية", "القادم", "القادمة", "قريبا",
    "لاحقا", "بعد قليل", "seuraava", "seuraavaksi", "pian", "kohta", "myöhemmin", "tulossa", "xiga",
    "ku xiga", "dhawaan", "kadib", "soo socda", "بعدی", "به زودی", "بزودی", "بعدا", "بعد از این",
    "is it over", "everything over", "är det slut", "slut nu", "onko ohi", "kaikki ohi", "خلص", "انتهى",
    "تموم شد", "ma dhammaaday",
    "kvar", "återstår", "left", "still to come", "remaining", "what's left", "whats left", "jäljellä", "باقي",
    "الباقي", "شو ضل", "ka haray", "باقی مانده",
]

# Words that make a question about practicalities (interpreting) even when it names a language or
# a day: "Kommer det finnas tolkning till arabiska?" asks for the languages answer, not events.
# Each is also a word of FAQ_TOPICS["languages_question"] (the index tags it so).
FAQ_CUES: list[str] = [
    "tolkning", "tolk", "tolkas", "tolkat", "teckenspråkstolk", "interpreter", "interpretation",
    "interpreting", "translation", "translated", "ترجمة", "مترجم", "tarjama", "mutarjim", "tulkkaus",
    "tulkki", "tulkataanko", "turjubaan", "turjumaan", "turjumid", "ترجمه",
    "need to speak", "have to speak", "must speak", "måste jag kunna", "måste man kunna",
    "behöver jag kunna", "behöver man kunna", "måste man prata", "pitääkö osata", "täytyykö osata",
    "tarviiks osata", "pitääks osata", "لازم احكي", "لازم اعرف", "lazem ehki", "باید بلد باشم",
    "kaliya ayaa lagu qabtaa", "kaliya lagu qabtaa",
    "pratar de", "talar de", "do they speak", "will they speak", "puhutaanko", "puhuvatko", "بيحكوا", "يتكلمون",
    "صحبت میکنن", "ku hadlaan", "is everything", "är allt", "onko kaikki", "همه چی", "كل شي", "كل الفعاليات",
    "vilket språk", "vilka språk", "på vilka språk", "på vilket språk", "which language", "which languages",
    "what language", "what languages", "بأي لغة", "باي لغه", "بأي لغات", "شو اللغات", "كلها", "millä kielellä",
    "millä kielillä", "mitkä kielet", "luuqadee", "luqadee", "luuqado noocee ah", "به چه زبانی", "به چه زبونی",
    "چه زبونایی", "چه زبانهایی", "چه زبان هایی", "چه زبونی", "چه زبانی",
]

# "Can you speak Arabic?": a question to the bot about its own language, not for events.
SPEAK: list[str] = [
    "pratar du", "talar du", "snackar du", "kan du", "förstår du", "do you speak", "can you speak",
    "you speak", "speak", "can you talk", "do you understand", "can you understand", "can you answer in",
    "تتكلم", "تتكلمين", "تحكي", "بتحكي", "تتحدث", "تفهم", "بتفهم", "تعرف", "puhutko", "osaatko",
    "ymmärrätkö", "puhua", "ku hadashaa", "ma ku hadashaa", "hadashaa", "hadli kartaa", "ku hadli kartaa",
    "fahmi kartaa", "صحبت میکنی", "صحبت می کنی", "صحبت", "حرف میزنی", "بلدی", "میفهمی", "می فهمی",
]

# Words that are spelled alike in two languages once normalised, with the meanings (tag kinds)
# they do not have in the writer's language: Persian "این" (this) folds to Arabic "أين" (where).
HOMOGRAPHS: dict[str, dict[str, set[str]]] = {
    "fa": {"این": {"faq"}},
}

# Event languages, as codes in the data.
LANGUAGES: dict[str, list[str]] = {
    "sv": [
        "svenska",
        "swedi", "sweidi", "bil swedi", "på svenska", "svensk", "svenskspråkig", "swedish", "in swedish", "السويدية",
        "سويدي",
        "بالسويدية", "باللغة السويدية", "ruotsi", "ruotsiksi", "ruotsinkielinen", "ruotsinkielisiä", "ruotsii",
        "ruotsia", "ruotsiks",
        "iswiidhish", "af iswiidhish", "swiidhish", "سوئدی", "به زبان سوئدی", "به سوئدی",
    ],
    "en": [
        "engelska",
        "inglizi", "engleezi", "bil inglizi", "englizi", "på engelska", "engelskspråkig", "engelskspråkiga",
        "english", "in english",
        "الإنجليزية", "الانكليزية", "انجليزي", "انكليزي", "بالإنجليزية", "باللغة الإنجليزية", "englanti",
        "englanniksi", "englanninkielinen", "englanninkielisiä", "englantii", "englantia", "englanniks", "ingiriisi",
        "af ingiriisi", "ingiriis",
        "انگلیسی", "به زبان انگلیسی", "به انگلیسی",
    ],
    "ar": [
        "arabiska", "på arabiska", "arabisktalande", "arabic", "in arabic", "arabi", "bl arabi", "bil arabi", "3arabi",
        "arabee", "العربية", "عربي", "بالعربية",
        "بالعربي", "باللغة العربية", "اللغة العربية", "arabia", "arabiaksi", "arabiankielinen", "arabiaa", "arabiaks",
        "arabiankielisiä", "carabi", "af carabi", "carabiga", "عربی", "به زبان عربی", "به عربی",
    ],
    "fi": [
        "finska", "på finska", "finnish", "in finnish", "الفنلندية", "فنلندي", "بالفنلندية", "suomi",
        "suomeksi", "suomenkielinen", "suomenkielisiä", "suomee", "suomea", "suomeks", "finnishka", "af finnish",
        "فنلاندی",
        "به زبان فنلاندی",
    ],
    "so": [
        "somaliska", "på somaliska", "somali", "in somali", "الصومالية", "صومالي", "بالصومالية",
        "باللغة الصومالية", "somaliksi", "somalinkielinen", "soomaali", "af soomaali", "af-soomaali",
        "soomaaliga", "afsoomaali", "سومالیایی", "سومالی", "به زبان سومالیایی",
    ],
    "fa": [
        "persiska", "på persiska", "farsi", "på farsi", "dari", "persian", "in persian", "in farsi",
        "الفارسية", "فارسي", "بالفارسية", "باللغة الفارسية", "persia", "persiaksi", "farsiksi",
        "persiankielinen", "faarisi", "af faarisi", "farsiga", "af farsi", "فارسی", "به زبان فارسی", "فارسی زبونم",
        "فارسی زبانم", "فارسی زبون", "فارسی زبان",
        "به فارسی", "دری",
    ],
}

# Words before a country that say where a person is from ("min kompis från spanien"): with an
# event language in the question, the country describes the person, not the events wanted.
ORIGIN: list[str] = ["från", "from", "من", "از", "kommer från", "comes from", "is from", "originally from"]

# "In my language": the person's own language is the event language they want.
MY_LANGUAGE: list[str] = [
    "på mitt språk", "mitt språk", "mitt modersmål", "in my language", "my language", "بلغتي",
    "بلغتي الأم", "omalla kielelläni", "omalla kielellä", "luuqaddayda", "afkayga", "به زبان من",
    "به زبان خودم",
]

ONLINE: list[str] = [
    "online", "on line", "digitalt", "på distans", "distans", "på nätet", "via länk", "zoom", "via zoom",
    "digitala evenemang", "livestream", "stream", "streamad", "streamas", "virtual", "virtually", "remote",
    "remotely", "from home", "hemifrån", "اونلاين", "أون لاين", "عبر الإنترنت", "عن بعد", "افتراضي",
    "افتراضية", "verkossa", "etänä", "etäyhteydellä", "verkkotapahtuma", "verkkotapahtumia", "onlayn",
    "internetka", "khadka tooska ah", "آنلاین", "مجازی", "اینترنتی", "از راه دور",
    "netistä", "netissä", "netti", "kotoa", "kotoo", "kotona", "striimi", "striimataan", "hemma",
    "at home", "watch from home", "من البيت", "guriga", "از خونه", "از خانه",
]

# Words that only say "the programme" or "something happening": a sign the person asks for
# events, but nothing to rank by.
PROGRAMME: list[str] = [
    "händer", "hände", "händer det", "program", "programmet", "programpunkter", "programpunkt",
    "evenemang", "evenemanget", "aktivitet", "aktiviteter", "aktiviteterna", "arrangemang", "schema",
    "schemat", "på gång", "gå på", "delta", "delta i", "besöka", "event", "events", "happening", "happens",
    "happen", "what's on", "whats on", "going on", "on today", "on tomorrow", "programme", "program",
    "schedule", "activities", "activity", "sessions", "session", "agenda", "attend", "things to do",
    "يحدث", "تحدث", "فعاليات", "فعالية", "الفعاليات", "برنامج", "البرنامج", "نشاطات", "أنشطة", "الأنشطة",
    "الجدول", "حدث", "أحداث", "tapahtuu", "tapahtumat", "tapahtuma", "tapahtumia", "ohjelma", "ohjelmaa",
    "ohjelmassa", "mitä tapahtuu", "tekemistä", "nåt om", "något om", "anything about", "something about",
    "smth about", "شي عن", "شيء عن", "jotain aiheesta", "wax ku saabsan", "چیزی درباره", "dhacaya", "dhaca", "dhici",
    "socda", "ka socda", "socota", "socdaa",
    "barnaamij", "barnaamijka",
    "barnaamijyo", "munaasabad", "munaasabado", "hawlaha", "hawl", "برنامه", "برنامه ها", "رویداد",
    "رویدادها", "چه خبر", "چه خبره", "che khabare", "che khabar", "chi hast", "barname", "barnameh", "خبره",
    "چه خبر است", "چخبره", "اتفاق", "فعالیت", "فعالیت ها", "جلسات",
    "يصير", "بيصير", "عم يصير", "صاير", "رح يصير", "شو في", "plans", "plan", "planer", "planerna",
    "suunnitelmat", "خطط", "شو الخطه", "qorshe", "qorshaha", "چه برنامه ای", "fa3aliyat", "fa3aliyet",
    "fa3aliye", "fa3aliya", "nashatat", "ysir", "bysir", "sayer",
]

# Event kinds. Each is matched against the types in the data ("Paneldiskussion" is a panel)
# and against event titles, so a "Konsert" type and an "Öppningskonsert" title both count.
EVENT_TYPES: dict[str, list[str]] = {
    "workshop": [
        "warsha", "warshe", "warshet", "wirash",
        "workshop", "work shop", "verkstad", "verkstäder", "skrivarverkstad", "övning", "hands-on", "ورشة",
        "ورش", "ورشة عمل", "ورش عمل", "ورشه", "työpaja", "työpajat", "työpajoja", "aqoon is weydaarsi",
        "aqoon-is-weydaarsi", "tababar", "کارگاه", "کارگاه آموزشی",
    ],
    "concert": [
        "7afle", "7afla", "hafla",
        "konsert", "konserter", "spelning", "gigs", "spelningar", "livemusik", "concert", "concerts", "gig",
        "live music", "حفل",
        "حفلة", "حفل موسيقي", "حفلات", "konsertti", "konsertteja", "bandhig muusig", "riwaayad muusig", "کنسرت",
    ],
    "panel": [
        "panel", "paneldiskussion", "panelsamtal", "paneldebatt", "debatt", "panel discussion",
        "panel debate", "debate", "حلقة نقاش", "ندوة نقاشية", "مناظرة", "paneeli",
        "paneelikeskustelu", "väittely", "doodwadaag", "پنل", "میزگرد", "مناظره",
    ],
    "seminar": [
        "seminarium", "seminarier", "seminar", "seminars", "föreläsning", "föredrag", "lecture",
        "presentation", "ندوة", "محاضرة", "محاضرات", "seminaari", "luento", "esitelmä",
        "seminaar", "muxaadaro", "سمینار", "سخنرانی", "همایش",
    ],
    "lunch": [
        "lunch", "lärandelunch", "lunchseminarium", "learning lunch", "lunchtime talk", "غداء",
        "غداء تعليمي", "lounas", "lounastilaisuus", "qado", "qadada", "ناهار",
    ],
    "dialogue": [
        "dialogforum", "dialog", "dialogmöte", "dialogue", "dialogue forum", "dialog forum",
        "حوار", "منتدى حوار", "منتدى", "dialogi", "keskustelutilaisuus",
        "wada hadal", "wadahadal", "گفتگو", "گفت و گو",
    ],
    "webinar": [
        "webbinarium", "webbinar", "webinar", "webinars", "webinarium", "ويبينار", "ندوة عبر الإنترنت",
        "webinaari", "وبینار",
    ],
    "performance": [
        "föreställning", "uppträdande", "framträdande", "scenframträdande", "performance", "performances",
        "esitys", "esityksiä", "riwaayad", "riwaayado", "riwaayadda", "bandhig faneed", "اجرا", "نمایش",
    ],
    "hackathon": ["hackathon", "hackaton", "hackathons", "هاكاثون", "هکاتون"],
}

# Topics across languages. The key is the concept; any of its words in a question finds events
# that use any other of its words, in any field.
TOPICS: dict[str, list[str]] = {
    # Countries, by their cities in the programme: "people from the Netherlands" is Rotterdam.
    "netherlands": [
        "nederländerna", "holland", "holländsk", "netherlands", "the netherlands", "dutch", "هولندا",
        "alankomaat", "alankomaista", "hollanti", "hollannista", "هلند", "rotterdam", "روتردام",
    ],
    "scotland": [
        "skottland", "storbritannien", "scotland", "scottish", "britain", "اسكتلندا", "بريطانيا",
        "skotlanti", "skotlannista", "iskotland", "اسکاتلند", "glasgow", "غلاسكو", "گلاسکو",
    ],
    "spain": [
        "spanien", "baskien", "spain", "spanish", "basque", "اسبانيا", "إسبانيا", "espanja", "espanjasta",
        "isbaanya", "اسپانیا", "bilbao", "بلباو", "بیلبائو",
    ],
    "switzerland": [
        "schweiz", "switzerland", "swiss", "سويسرا", "sveitsi", "sveitsistä", "iswiiserland", "سوئیس", "basel",
    ],
    "germany": [
        "tyskland", "germany", "german", "المانيا", "ألمانيا", "saksa", "saksasta", "jarmal", "jarmalka", "آلمان",
        "freiburg",
    ],
    "online_hate": [
        "näthat", "hat på nätet", "hat online", "digitalt hat", "digitala hatet", "nätmobbning",
        "online hate", "hate online", "hate speech online", "online hatred", "hatred online", "internet hate",
        "hate on the net", "digital hate", "online hate speech", "cyberhate", "cyber hate",
        "cyberbullying", "hate on the internet", "hate on social media", "الكراهية الرقمية",
        "الكراهية عبر الإنترنت", "الكراهية على الإنترنت", "خطاب الكراهية على الإنترنت",
        "التنمر الإلكتروني", "verkkoviha", "vihapuhe verkossa", "nettiviha", "netissä vihapuhe",
        "viha verkossa", "nacaybka internetka", "nacayb online", "nacaybka onlaynka",
        "nacaybka baraha bulshada", "نفرت آنلاین", "نفرت پراکنی آنلاین", "نفرت در اینترنت", "نفرت مجازی",
        "نفرت دیجیتال",
    ],
    "hate": [
        "hat", "hatet", "hatbrott", "hot och hat", "hate", "hatred", "hate speech", "كراهية", "الكراهية",
        "خطاب الكراهية", "viha", "vihapuhe", "nacayb", "nacaybka", "نفرت", "نفرت پراکنی",
    ],
    "human_rights": [
        "mänskliga rättigheter", "mänskliga rättigheterna", "human rights", "حقوق الإنسان",
        "ihmisoikeudet", "ihmisoikeus", "xuquuqda aadanaha", "xuquuqul insaan", "حقوق بشر",
    ],
    "rights": [
        "7o2o2", "7u2u2", "huquq", "ho2o2",
        "rättighet", "rättigheter", "rättigheterna", "rights", "right to", "حقوق", "حق", "oikeudet",
        "oikeus", "oikeuksista", "xuquuq", "xuquuqda", "xaq", "حقوق", "حق",
    ],
    "children": [
        "atfal", "wlad", "awlad",
        "barn", "barnen", "barnets", "barns", "barnkonventionen", "barnkonventionen", "children", "child",
        "kids", "childrens", "أطفال", "الأطفال", "طفل", "lapset", "lasten", "lapsi", "carruur",
        "carruurta", "ilmo", "کودک", "کودکان", "بچه", "بچه ها",
    ],
    "youth": [
        "unga", "ung", "ungdom", "ungdomar", "ungdomarna", "ungas", "tonåring", "tonåringar", "young",
        "young people", "youth", "youths", "teen", "teens", "teenager", "teenagers", "young adults",
        "students", "شباب", "الشباب", "شابات", "المراهقين", "مراهق", "nuoret", "nuori", "nuorille",
        "nuorten", "nuoria", "dhallinyaro", "dhalinyaro", "dhalinyarada", "dhallinyarada", "da'yar",
        "dayar", "dhalinta", "جوانان", "جوان", "نوجوان", "نوجوانان",
        "جوونا", "جوون", "جوونها", "young ppl", "shabab", "nuorille",
    ],
    "racism": [
        "3onsoriya", "3onsoriye", "3unsuriya", "onsoriya",
        "rasism", "rasismen", "antirasism", "antirasistiskt", "rasistisk", "racism", "anti-racism",
        "antiracism", "racist", "anti racism", "عنصرية", "العنصرية", "مناهضة العنصرية", "rasismi",
        "rasismia", "rasismin", "cunsuriyad", "cunsuriyadda", "midab takoor", "نژادپرستی", "نژاد پرستی",
    ],
    "afrophobia": [
        "afrofobi", "afrophobia", "antisvart", "antisvart rasism", "anti-black", "anti black racism",
        "كراهية السود", "afrofobia", "نفرت از سیاهپوستان",
    ],
    "discrimination": [
        "diskriminering", "diskriminerad", "discrimination", "تمييز", "التمييز", "syrjintä", "takoor",
        "takoorka", "تبعیض",
    ],
    "influence": [
        "påverka", "påverkar", "påverkan", "inflytande", "delaktighet", "engagera", "engagemang", "röst",
        "medborgarförslag", "förslag", "göra skillnad", "säga sitt", "göra sin röst hörd", "influence",
        "participation", "participate", "have a say", "make a difference", "get involved", "involvement",
        "engagement", "proposal", "citizen proposal", "voice", "التأثير", "تأثير", "أؤثر", "المشاركة",
        "مشاركة", "صوتك", "اقتراح", "vaikuttaa", "vaikuttaminen", "vaikuttamaan", "osallistuminen",
        "osallisuus", "aloite", "kuntalaisaloite", "saameyn", "ka qayb qaadasho", "ka qaybqaadasho",
        "codkaaga", "talo soo jeedin", "تأثیر", "تاثیر", "مشارکت", "تاثیرگذاری", "پیشنهاد",
    ],
    "politics": [
        "politik", "politiker", "politikerna", "politiken", "beslutsfattare", "kommunfullmäktige",
        "fullmäktige", "beslut", "politics", "politicians", "politician", "political", "decision makers",
        "city council", "decisions", "سياسة", "السياسة", "سياسيين", "السياسيين", "سياسي", "قرارات",
        "politiikka", "poliitikot", "poliitikkoja", "päättäjät", "valtuusto", "kaupunginvaltuusto",
        "siyaasad", "siyaasadda", "siyaasiyiinta", "go'aan", "سیاست", "سیاستمداران", "سیاستمدار",
        "شورای شهر",
    ],
    "democracy": [
        "dimoqratiya", "dimo2ratiya", "dimu2ratiye", "demo2ratiya",
        "demokrati", "demokratin", "demokratisk", "demokratiska", "democracy", "democratic", "ديمقراطية",
        "الديمقراطية", "ديموقراطية", "الديمقراطي", "demokratia", "demokratiaa", "demokraattinen",
        "dimuqraadiyad", "dimuqraadiyadda", "دموکراسی", "دمکراسی", "مردم سالاری",
    ],
    "elections": [
        "rösta", "röstar", "val", "valet", "röstning", "vote", "voting", "election", "elections",
        "التصويت", "تصويت", "الانتخابات", "انتخابات", "äänestää", "äänestäminen", "vaalit", "codbixin",
        "doorasho", "doorashada", "رای", "رأی دادن", "انتخابات",
    ],
    "free_speech": [
        "yttrandefrihet", "yttrandefriheten", "freedom of speech", "free speech", "freedom of expression",
        "حرية التعبير", "حرية الرأي", "sananvapaus", "xorriyadda hadalka", "xorriyadda ra'yiga",
        "آزادی بیان",
    ],
    "minorities": [
        "minoritet", "minoriteter", "nationella minoriteter", "minoriteters", "minority", "minorities",
        "national minorities", "أقليات", "الأقليات", "أقلية", "vähemmistö", "vähemmistöt",
        "kansalliset vähemmistöt", "laga tirada yar", "dadka laga tirada badan yahay", "اقلیت", "اقلیت ها",
        "samer", "romer", "judar", "tornedalingar", "sverigefinnar",
        "saamelaiset", "saamelainen", "ruotsinsuomalaiset", "ruotsinsuomalainen", "romanit", "juutalaiset",
        "tornionlaaksolaiset", "sami", "roma", "swedish finns",
    ],
    "safety": [
        "trygghet", "trygg", "tryggheten", "otrygghet", "safety", "safe", "security", "feeling safe",
        "أمان", "الأمان", "الأمن", "turvallisuus", "turvallinen", "ammaan", "nabadgelyo", "امنیت",
        "احساس امنیت",
    ],
    "trust": ["tillit", "tilliten", "trust", "الثقة", "luottamus", "kalsooni", "اعتماد"],
    "health": [
        "hälsa", "folkhälsa", "health", "public health", "الصحة", "صحة", "terveys",
        "caafimaad", "caafimaadka", "سلامت", "بهداشت",
    ],
    "inclusion": [
        "inkludering", "inkluderande", "inkluderad", "inclusion", "inclusive", "الاندماج", "الشمول",
        "شامل", "osallisuus", "osallistava", "ka mid noqosho", "شمول", "فراگیر",
    ],
    "sustainability": [
        "hållbar", "hållbara", "hållbarhet", "hållbara städer", "sustainable", "sustainability",
        "sustainable cities", "الاستدامة", "مستدامة", "kestävä", "kestävyys", "waarta", "پایداری",
        "پایدار",
    ],
    "urban_planning": [
        "stadsplanering", "stadsplanerare", "stadsutveckling", "urban planning", "city planning",
        "planners", "التخطيط العمراني", "kaupunkisuunnittelu", "qorsheynta magaalada", "شهرسازی",
    ],
    "culture": [
        "kultur", "kulturen", "culture", "cultural", "ثقافة", "الثقافة", "kulttuuri", "dhaqan", "dhaqanka",
        "فرهنگ", "فرهنگی",
    ],
    "music": [
        "musi2a", "mosi2a", "musiqa", "museeqa",
        "musik", "musiker", "musikerna", "music", "musicians", "موسيقى", "الموسيقى", "musiikki", "muusig",
        "muusiga", "heeso", "موسیقی",
    ],
    "poetry": [
        "she3r", "shi3r", "shi3er",
        "poesi", "poet", "poeter", "dikt", "dikter", "spoken word", "poetry", "poetry slam", "poems",
        "poem", "poets", "شعر", "الشعر", "شاعر", "شعراء", "runous", "runo", "runoja", "lausunta", "runoutta", "runot",
        "runoilija", "runoilijat", "lausuntarunous", "gabay",
        "maanso", "gabayo", "gabayada", "runoslammi", "slammi", "lausuntaesitys", "شاعران",
        "runotapahtuma", "runoilta", "شعرخوانی",
    ],
    "writing": [
        "skriva", "skriv", "skrivande", "skrivarverkstad", "writing", "write", "creative writing",
        "الكتابة", "كتابة", "kirjoittaminen", "kirjoittaa", "qoraal", "qorista", "نوشتن", "نویسندگی",
    ],
    "censorship": [
        "förbjuden", "förbjuden kultur", "censur", "censorship", "banned", "forbidden", "الرقابة", "محظور",
        "sensuuri", "kielletty", "faafreeb", "سانسور",
    ],
    "opening": [
        "när börjar det", "when does it start", "when does it begin", "milloin se alkaa", "متى يبدأ",
        "کی شروع میشه", "goorma ayuu bilaabmayaa",
        "furmayaa bandhigga", "bandhigga furmayaa", "furmayaa", "furmaya",
        "börjar festivalen", "festivalen börjar", "festival start", "festival starts", "festival begins",
        "start of the festival", "يبدأ المهرجان", "بداية المهرجان", "festivaali alkaa", "alkaako festivaali",
        "bilaabmaa bandhigga", "bandhigga bilaabmaa", "شروع جشنواره", "جشنواره شروع",
        "invigning", "invigningen", "öppning", "öppningen", "öppnar", "öppningsceremoni", "opening",
        "opening ceremony", "the opening", "kick off", "kick-off", "inauguration", "افتتاح", "الافتتاح",
        "حفل الافتتاح", "avajaiset", "avajaisissa", "avaus", "furitaan", "furitaanka", "daah furka",
        "افتتاحیه", "مراسم افتتاحیه",
    ],
    "closing": [
        "festivalen slutar", "slutar festivalen", "festival ends", "end of the festival",
        "ينتهي المهرجان", "نهاية المهرجان", "festivaali päättyy",
        "dhamaanayaa", "dhammaanayaa", "dhamaad", "پایان جشنواره",
        "avslutning", "avslutningen", "avslutande", "avslutas", "closing", "closing ceremony", "final",
        "ختام", "الختام", "الختامي", "حفل الختام", "päätös", "päättäjäiset", "xiritaan", "xiritaanka",
        "اختتامیه", "پایان",
    ],
    "international": [
        "internationell", "internationellt", "utbyte", "erfarenhetsutbyte", "international", "exchange",
        "other cities", "europe", "دولي", "تبادل", "kansainvälinen", "vaihto", "caalami", "is dhaafsi",
        "بین المللی", "تبادل تجربه",
    ],
    "civil_society": [
        "civilsamhället", "civilsamhälle", "förening", "föreningar", "föreningslivet", "föreningen",
        "idéburna", "civil society", "associations", "association", "ngo", "ngos", "nonprofit",
        "المجتمع المدني", "جمعيات", "جمعية", "kansalaisyhteiskunta", "yhdistys", "yhdistykset",
        "bulshada rayidka", "ururada", "urur", "جامعه مدنی", "انجمن", "انجمن ها", "سازمان های مردم نهاد",
    ],
    "leadership": [
        "ledarskap", "ledare", "styrelse", "leadership", "leaders", "board", "القيادة", "قادة",
        "johtajuus", "johtajat", "hoggaamin", "hogaamin", "رهبری", "رهبران",
    ],
    "school": [
        "skola", "skolan", "skolor", "school", "schools", "مدرسة", "المدرسة", "koulu", "dugsi", "iskuul",
        "مدرسه",
    ],
    "leisure": [
        "fritid", "fritiden", "leisure", "free time", "وقت الفراغ", "vapaa-aika", "waqtiga firaaqada",
        "اوقات فراغت",
    ],
    "research": [
        "forskare", "forskning", "akademin", "research", "researchers", "academia", "الباحثين", "بحث",
        "tutkijat", "tutkimus", "cilmi baaris", "baarayaal", "پژوهش", "پژوهشگران", "محققان",
    ],
    "identity": ["identitet", "identity", "هوية", "الهوية", "identiteetti", "aqoonsi", "aqoonsiga", "هویت"],
    "city_council": [
        "kommunfullmäktige", "fullmäktige", "fullmäktigemöte", "city council", "municipal council",
        "مجلس البلدية", "المجلس البلدي", "kaupunginvaltuusto", "valtuusto", "golaha degaanka",
        "golaha magaalada", "شورای شهر",
        "kommunen", "kommun", "kommunpolitik", "municipality", "local government", "local politics", "kunta",
        "kunnan", "kunnallispolitiikka", "شهرداری مالمو",
    ],
    "digital_tools": [
        "digitala verktyg", "digital tools", "apps", "app", "technology", "teknik", "tech",
        "الأدوات الرقمية", "تكنولوجيا", "digitaaliset työkalut", "teknologia", "tiknoolajiyad",
        "ابزار دیجیتال", "فناوری",
    ],
    "equality": [
        "jämlik", "jämlikhet", "jämställdhet", "likabehandling", "equality", "equal", "equity", "المساواة",
        "مساواة", "tasa-arvo", "yhdenvertaisuus", "sinnaan", "sinaanta", "برابری", "مساوات",
    ],
    "youth_council": [
        "ungdomsråd", "ungdomsrådet", "ungdomsfullmäktige", "youth council", "youth councils", "nuorisovaltuusto",
        "مجلس الشباب", "مجالس الشباب", "golaha dhalinyarada", "شورای جوانان",
    ],
    "police": [
        "polis", "polisen", "poliser", "kommunpolisen", "police", "the police", "cops", "الشرطة", "شرطة", "poliisi",
        "poliisit", "booliska", "boolis", "پلیس",
    ],
    "outdoors": [
        "utomhus", "utomhuskonsert", "utomhusscen", "utomhusscenen", "utomhusevenemang", "utomhusevent",
        "outdoor", "outdoors", "outside", "open air", "open-air", "في الهواء الطلق", "خارجي", "ulkona",
        "ulkoilma", "ulkoilmatapahtuma", "bannaanka", "banaanka", "فضای باز", "بیرون",
    ],
    "border_cities": [
        "gränsstäder", "gränsöverskridande", "border cities", "cross-border", "across borders",
        "المدن الحدودية", "rajakaupungit", "magaalooyinka xuduudaha", "شهرهای مرزی",
    ],
}

# Concepts that questions about practicalities use; they help find FAQ entries but do not rank
# events (many abstracts say "free" or "no signup", which is not what a topic search means).
FAQ_TOPICS: dict[str, list[str]] = {
    "cost": [
        "ku kacaysaa", "kacaysaa", "immisa ayay ku kacaysaa", "lacag ma la bixiyaa", "lacag bixin",
        "lipun", "lippua", "lipuista", "pääsylippu", "tikidh", "tigidhka",
        "kosta", "kostar", "kostnad", "kostnadsfri", "kostnadsfritt", "gratis", "avgift", "avgiftsfri",
        "pris", "priset", "biljett", "biljetter", "betala", "betalar", "inträde", "entréavgift",
        "fri entré", "cost", "costs", "free", "free of charge", "price", "prices", "fee", "fees", "ticket",
        "tickets", "pay", "paid", "charge", "money", "entrance fee", "مجاني", "مجانية", "مجانا", "سعر",
        "تكلفة", "التكلفة", "ثمن", "تذكرة", "تذاكر", "أدفع", "ادفع", "رسوم", "يكلف", "بكم", "maksaa",
        "maksaako", "maksu", "maksullinen", "ilmainen", "ilmaisia", "hinta", "lippu", "liput",
        "pääsymaksu", "lacag", "lacagta", "bilaash", "qiimo", "qiimaha", "tigidh", "tikit", "ma bilaash",
        "رایگان", "هزینه", "قیمت", "بلیط", "بلیت", "پول", "پرداخت", "مجانی",
        "b2adesh", "2adesh", "adesh", "bkam", "edfa3", "adfa3", "badfa3", "mesari", "masari", "msari", "flous",
        "fulus", "majjani", "majani", "balash", "ببلاش", "بلاش", "بقديش", "قديش", "مصاري", "فلوس", "para", "cash",
        "rahaa", "raha", "tarviiks rahaa", "maksaaks", "ilmane", "ilmanen", "پولیه", "پولی", "مجانیه", "رایگانه",
        "dokhool", "dukhul", "الدخول", "هزینش", "چنده", "قیمتش", "قیمتش چنده",
    ],
    "signup": [
        "tasjeel", "tasjil", "sajjil", "7ajz", "hajez",
        "anmäla", "anmäler", "anmälan", "anmäld", "anmäl", "anmälning", "registrera", "registrering",
        "boka", "bokar", "bokning", "platser", "plats", "föranmälan", "sign up", "signup", "sign-up",
        "register", "registration", "book", "booking", "reserve", "reservation", "enrol", "enroll", "rsvp",
        "seats", "spot", "تسجيل", "التسجيل", "أسجل", "اسجل", "سجل", "حجز", "أحجز", "احجز", "مقاعد",
        "ilmoittautua", "ilmoittaudun", "ilmoittautuminen", "ilmoittautumista", "rekisteröityä", "varata",
        "varaus", "is diiwaangeli", "isdiiwaangeli", "diiwaangelin", "diiwaan gelin", "ballan",
        "boos", "ثبت نام", "ثبتنام", "ثبت", "رزرو", "نام نویسی",
        "اسم بنویسم", "اسم نوشتن", "اسم بدم", "ثبت نام کنم", "ilmottautuu", "ilmottautua", "ilmottautumista",
        "ilmoittautuu", "isdiiwaangeliyo", "is diiwaangeliyo", "sajjel", "tasjil", "dyka upp",
        "sabte nam", "sabt nam", "sabtenam", "sabt e nam", "sabtnam", "esm nevisi", "esm benevisam", "rezerv",
        "ثبت نام لازمه", "ثبتنام لازمه", "bokning krävs", "måste man anmäla", "ilmottautumine",
    ],
    "accessibility": [
        "esteettömiä", "esteettömät", "esteetöntä", "esteettömästi", "kuraasta", "kuraasta curyaamiinta",
        "curyaamiinta", "curyaan", "curyaanka",
        "rullstol", "rullstolar", "rullstolsburen", "tillgänglig", "tillgängliga", "tillgänglighet",
        "tillgängligt", "hörslinga", "hiss", "ramp", "funktionsnedsättning", "handikapp",
        "handikappanpassat", "wheelchair", "wheelchairs", "accessible", "accessibility", "step-free",
        "step free", "lift", "elevator", "hearing loop", "disabled", "disability", "كرسي متحرك",
        "الكراسي المتحركة", "كراسي", "متحركة", "مجهزة", "ذوي الاحتياجات الخاصة", "إعاقة", "مصعد",
        "pyörätuoli", "pyörätuolilla", "esteetön", "esteettömyys", "hissi", "induktiosilmukka",
        "kursiga curyaanka", "kursi", "naafo", "dadka naafada", "wiish", "ویلچر", "صندلی چرخدار", "دسترسی",
        "معلول", "معلولیت", "آسانسور",
        "kuulolaite", "kuulolaitteen", "ویلچره", "با ویلچر", "hörapparat",
    ],
    "age": [
        "چند سالم", "سن من", "سنم",
        "tuoda", "tuoda mukaan", "tuoda lapset", "keeni", "keenaa", "keeni karaa", "la keeni karaa", "آورد",
        "بیاورم", "بیارم", "آوردن", "مناسبة للأطفال", "مناسب للأطفال", "suitable for children", "kid friendly",
        "kid-friendly", "family friendly", "lapsiystävällinen", "ku habboon carruurta", "مناسب کودکان",
        "مناسب بچه ها",
        "ta med barn", "ta med mina barn", "ta med barnen", "lillebror", "lillasyster", "småsyskon", "syskon",
        "little brother", "little sister", "siblings", "أخي الصغير", "أختي الصغيرة", "pikkuveli", "pikkusisko",
        "walaalkay yar", "برادر کوچکم", "خواهر کوچکم", "barnvänlig", "alla välkomna", "bring children",
        "bring my children", "bring my kids", "bring kids", "kids welcome", "everyone welcome", "أحضر أطفالي",
        "اصطحاب الأطفال", "lapset mukaan", "ottaa lapset mukaan", "carruurta keeno", "ilmaha keeno",
        "بچه ها را بیاورم", "با بچه ها", "همراه بچه",
        "lil bro", "lil sis", "little bro", "little sis", "younger brother", "younger sister", "lillebrorsan",
        "lillasyrran", "اخوي الصغير", "اختي الصغيره", "pikkuveljeni", "pikkusiskoni", "walaashay yar",
        "داداش کوچیکم", "آبجی کوچیکم",
        "ålder", "åldrar", "alla åldrar", "åldersgrupp", "åldersgräns", "gammal", "hur gammal", "år gammal",
        "barnvänligt", "age", "age limit",
        "how old", "old", "minimum age", "years old", "عمر", "عمري", "العمر", "السن", "سن", "ikä",
        "ikäraja", "vanha", "kuinka vanha", "da'da", "imisa jir", "jir", "سن", "چند سال", "محدودیت سنی",
    ],
    "food": [
        "akel", "akl", "aakel", "2akel", "ta3am",
        "lunch ingår", "ingår lunch", "lunch included", "is lunch included", "الغداء مشمول", "lounas sisältyy",
        "sisältyykö lounas", "qado ma ku jirtaa", "ناهار داره",
        "mat", "maten", "äta", "fika", "bjuds", "bjuder", "servering", "allergi", "allergier",
        "vegetarisk", "käk", "käka", "food", "eat", "eating", "meal", "meals", "snacks", "serve", "served", "drinks",
        "coffee", "allergies", "allergy", "vegetarian", "halal", "طعام", "الطعام", "أكل", "الأكل", "وجبة",
        "وجبات", "حلال", "حساسية", "ruoka", "ruokaa", "syödä", "tarjoilu", "tarjoilua", "kahvi",
        "allergia", "cunto", "cuntada", "raashin", "xalaal", "cuno", "quraac", "غذا", "خوراک", "خوردن",
        "حلال", "آلرژی",
        "syötävää", "syötävä", "syömistä", "syömää", "juotavaa", "eväät", "evästä", "naposteltavaa", "ruokailu",
        "nåt att äta", "något att äta", "att äta", "käka", "dricka", "something to eat", "anything to eat",
        "to eat", "snack", "شي ناكله", "شي للاكل", "ناكل", "منوكل", "wax la cuno", "wax la cabo", "cabitaan",
        "خوراکی", "چیزی برای خوردن", "بخوریم", "نوشیدنی",
    ],
    "languages_question": [
        "språk", "språken", "talas", "tolkning", "tolk", "language", "languages", "spoken", "interpreter",
        "interpretation", "translation", "لغة", "لغات", "اللغات", "باللغة", "ترجمة", "مترجم", "kieli",
        "kielet", "kielellä", "tulkkaus", "luuqad", "luuqadaha", "luqad", "turjubaan", "زبان", "زبان ها",
        "ترجمه", "مترجم",
        "tolkas", "tolkat", "översättning", "översatt", "teckenspråk", "teckenspråkstolk", "interpreting",
        "translated", "sign language", "tulkki", "tulkataanko", "käännös", "viittomakieli", "turjumaan",
        "turjumid", "tarjama", "mutarjim",
        "lugha", "logha", "loghat", "lughat", "lo8a", "zaban", "zabun", "zabuni", "zabunaye", "zabanha",
        "be che zabuni", "be che zabani", "bi ay lugha", "bi ay logha",
        # and every word of FAQ_CUES.
        "زبون", "زبونا", "زبونایی", "زبانهایی", "زبان هایی", "kielillä", "luuqadaha", "لغات الفعاليات",
    ],
    "directions": [
        "برسم", "میرسم", "بروم", "أذهب", "الذهاب", "pääsee", "tagaa", "gaaraa", "where's", "whr", "whr is", "wer is",
        "wheres", "وين", "فين",
        "missä", "taal", "ku taal", "کجاس",
        "hitta", "hittar", "hitta till", "ta mig", "tar mig", "tar jag mig", "tar man sig", "ta sig",
        "hittar jag", "hitta dit", "komma dit", "komma till", "kommer jag", "kommer man", "vägen till", "ligger",
        "vägbeskrivning", "adress", "adressen", "buss", "busshållplats", "parkering", "karta", "get to",
        "get there", "how do i get", "directions", "address", "where is", "located", "location", "bus",
        "parking", "map", "find", "أصل", "الوصول", "كيف أصل", "عنوان", "العنوان", "موقع", "الموقع", "يقع",
        "أين", "باص", "حافلة", "موقف", "خريطة", "päästä", "pääsen", "sijaitsee", "osoite", "missä on",
        "bussi", "reitti", "kartta", "sidee u tagaa", "sidee ku tagaa", "gaaro", "tago", "cinwaan",
        "cinwaanka", "xagee", "halkee", "baska", "khariidad", "آدرس", "نشانی", "کجاست", "چطور برسم",
        "چگونه برسم", "رسیدن", "اتوبوس", "نقشه", "کجا",
        "بوصل", "اوصل", "بروح", "اروح", "بتوصل", "me buss", "med buss", "bussilla", "بالباص", "برم", "چطوری برم",
        "چطور برم", "میرم", "park", "parkera", "parka", "pysäköidä", "parkkeerata",
        "tåg", "tåget", "med tåg", "train", "by train", "juna", "junalla", "قطار", "بالقطار", "tareen",
        "tareenka", "با قطار", "ta sig dit", "ta tåget dit",
    ],
    "about_festival": [
        "syftet med festivalen", "purpose of the festival", "festivaalin tarkoitus", "mikä tämä festivaali on",
        "ujeedada bandhigga", "هدف المهرجان", "هدف جشنواره", "bandhiggan waa maxay", "waa maxay bandhiggan",
        "bandhigga waa maxay", "این جشنواره چیه", "جشنواره درباره چیه",
        "vad är det för festival", "vad handlar festivalen om", "what festival is this", "what kind of festival",
        "what is this festival", "what's this festival about", "ما هذا المهرجان", "mikä festivaali tämä on",
        "waa maxay bandhigga", "این جشنواره چیه",
        "malmö möts", "om festivalen", "about the festival", "what is this", "vad är detta", "مالمو موتس",
        "عن المهرجان", "festivaalista", "ku saabsan bandhigga", "درباره جشنواره",
        "festival about", "this festival", "festivalkan", "festivalka", "bandhigan", "den här festivalen",
        "denna festival", "tämä festivaali", "tää festari", "هذا المهرجان", "هاد المهرجان",
        "what is this about", "vad är det här", "what even is this", "what is this even", "vad är ens det här",
    ],
    "privacy": [
        "my info", "personal information", "min info", "mina uppgifter", "معلوماتي", "tietojani",
        "macluumaadkayga", "اطلاعاتم", "اطلاعات من", "اطلاعات شخصی",
        "sparar", "spara", "lagrar", "personuppgifter", "uppgifter", "data", "gdpr", "integritet",
        "radera", "glöm", "store", "stored", "storing", "keep", "my data", "personal data", "privacy",
        "delete", "forget", "information about me", "بيانات", "البيانات", "بياناتي", "تحفظون", "تحفظ",
        "الخصوصية", "حذف", "tallennatte", "tallentaa", "tiedot", "tietoni", "yksityisyys", "poistaa",
        "xog", "xogta", "xogtayda", "kaydisaa", "kaydsataan", "tirtir", "ذخیره", "حریم خصوصی",
        "حذف", "داده",
        "keräätte", "kerätä", "tietoi", "tietoja", "نگه میدارین", "نگه میدارید", "اطلاعاتمو", "پاکش کنم",
        "save my messages", "my messages", "mina meddelanden", "save", "saved", "saves", "saving",
        "what i write", "det jag skriver", "chat history", "رسائلي", "viestini", "fariimahayga", "پیامامو", "پیامام",
        "about me", "om mig", "عني", "minusta", "درباره من", "what do you know about me",
        "vad vet ni om mig", "بتحفظوها", "بتحفظوا", "بتحفظو", "تحفظوها", "تحفظوا", "بتخزنوا", "تخزنوا", "بتخزنو",
        "تخزنون", "المعلومات اللي", "معلومات عني", "mitä tiedätte", "tallennetaan", "säilytätte",
        "maxaad kaydisaan", "kaydsan", "ذخیره میکنین", "info about me", "info om mig",
    ],
}

# Venue names people use; a group attaches to every venue whose name or address contains one
# of its names, so "Nobel 21" covers both rooms at Nobel 21.
VENUE_ALIASES: list[list[str]] = [
    [
        "stadshuset", "stadshus", "malmö stadshus", "city hall", "town hall", "rådhuset", "مبنى البلدية",
        "البلدية", "بلدية مالمو", "kaupungintalo", "kaupungintalolla", "aqalka dowladda hoose",
        "xarunta degmada", "ساختمان شهرداری", "شهرداری",
    ],
    [
        "stadsbiblioteket", "stadsbibliotek", "biblioteket", "bibliotek", "library", "city library",
        "public library", "malmö stadsbibliotek", "المكتبة", "مكتبة", "مكتبة المدينة", "kirjasto",
        "kirjastossa", "kaupunginkirjasto", "maktabadda", "maktabad", "maktabadda magaalada", "کتابخانه",
        "کتابخانه شهر", "کتابخونه", "کتابخونه شهر",
        "stadsbibblan", "stadsbibbla", "bibblan", "bibbla", "bibban", "biblan", "kirjis", "المكتبه العامه",
    ],
    [
        "möllevångstorget", "möllan", "möllevången", "möllevång", "mollevangstorget", "möllantorget",
        "مولفونغستورييت", "مولان",
    ],
    [
        "niagara", "malmö universitet", "universitet", "universitetet", "university", "malmö university",
        "the university", "الجامعة", "جامعة مالمو", "yliopisto", "yliopistolla", "jaamacadda", "jaamacad",
        "دانشگاه", "دانشگاه مالمو",
        "mau", "uni", "unin", "uni:t", "högskolan", "yliopistol", "الجامعه", "jaamacada",
    ],
    ["nobel 21", "nobel21", "nobelvägen", "nobelvägen 21", "nobel", "föreningscentret", "نوبل 21", "نوبل"],
]

# Words so common in this festival's texts that they tell nothing apart.
WEAK: list[str] = [
    "malmö", "malmös", "malmo", "mots", "möts", "stad", "staden", "city", "مالمو", "موتس",
    "2027", "festival", "festivalen", "festivals", "مهرجان", "المهرجان", "festivaali", "festivaalin",
    "festivaalilla", "bandhigga", "جشنواره", "lokal", "lokalen", "lokaler", "lokalerna", "stället", "venue",
    "venues", "place", "المكان", "مكان", "الاماكن", "أماكن", "paikka", "paikat", "tapahtumapaikka", "goobta",
    "goob", "meel", "مکان", "محل",
]

# Function words and question words; they never rank events and never count as content.
STOPWORDS: list[str] = [
    # Swedish
    "tar", "ta", "tog",
    "skoj", "roligt", "najs", "schysst", "fett", "grymt", "mysigt", "nice",
    "tjena", "tja", "tjenare", "tjabba", "hallå", "halloj", "morsning", "mors", "asså", "liksom", "eller hur",
    "vad", "är", "det", "den", "de", "dem", "en", "ett", "och", "i", "på", "för", "med", "om", "av",
    "till", "från", "jag", "du", "vi", "ni", "man", "mig", "dig", "oss", "er", "sig", "som", "finns",
    "några", "någon", "något", "nåt", "nån", "ngt", "ngn", "kan", "ska", "skall", "skulle", "vill",
    "ville", "har", "hade", "var", "när", "hur", "vilka", "vilken", "vilket", "varför", "vem", "vart",
    "där", "här", "mer", "mycket", "också", "även", "eller", "men", "så", "att", "inte", "bara", "alla",
    "allt", "blir", "bli", "gå", "går", "kommer", "komma", "hej", "hejsan", "tack", "snälla", "någonting",
    "dom", "min", "mitt", "mina", "din", "ditt", "dina", "vår", "vårt", "våra", "ert", "era", "sin",
    "sina", "sitt", "denna", "detta", "dessa", "får", "få", "kul", "bra", "intressant", "intressanta",
    "gärna", "typ", "ju", "väl", "nog", "då", "sen", "nå", "ok", "okej", "måste", "behöver", "tips",
    "tipsa", "rekommendera", "förslag på", "undrar", "fråga", "visa", "lista", "berätta", "ge", "hitta på",
    "göra", "gör", "något kul", "ute", "över", "under", "efter", "innan", "före", "mellan", "vid", "hos",
    "vilken tid", "tid", "tiden", "dag", "dagen", "dagar", "datum", "klockan", "kl", "börjar", "slutar",
    "hålls", "äger", "rum", "äger rum", "arrangeras", "några", "fler", "andra", "annat", "samma", "hela",
    "olika", "stort", "stor", "ny", "nya", "gammalt", "sådant", "sånt", "sånt här", "passar", "passa",
    "grejer", "grej", "saker", "sak", "intresserad", "intresserade",
    "lära", "lär", "lära mig", "veta", "vet", "kolla", "hänga", "följa", "mej", "dej", "va", "vart",
    # English
    "yo", "sup", "hiya", "heya", "hey there", "guys", "bro", "lol", "pls", "idk", "btw", "kinda", "gonna",
    "what", "whats", "what's", "wot", "wots", "wat", "wats", "bout", "abt", "lemme", "gimme", "is", "are", "was",
    "were", "the", "a", "an", "any", "anything",
    "something", "some", "there", "theres", "on", "in", "at", "of", "for", "to", "about", "with", "and",
    "or", "i", "you", "we", "me", "my", "it", "its", "do", "does", "did", "can", "could", "will", "would",
    "should", "shall", "when", "where", "which", "who", "whom", "how", "why", "please", "thanks", "thank",
    "hi", "hello", "hey", "this", "that", "these", "those", "be", "been", "being", "have", "has", "had",
    "go", "going", "get", "got", "want", "wanna", "like", "would like", "interested", "interesting",
    "tell", "show", "list", "give", "recommend", "suggest", "suggestion", "suggestions", "good", "nice",
    "fun", "cool", "also", "too", "more", "other", "others", "all", "every", "much", "many", "very",
    "just", "only", "from", "by", "into", "out", "up", "over", "under", "after", "before", "between", "if",
    "so", "but", "not", "no", "yes", "your", "you're", "our", "us", "they", "them", "their", "he", "she",
    "his", "her", "him", "time", "times", "day", "days", "date", "start", "starts", "begin", "begins",
    "held", "take", "takes", "place", "kind", "type", "sort", "things", "thing", "stuff", "am", "im",
    "i'm", "let", "lets", "s", "t", "d", "ll", "re", "ve", "m", "here", "someone", "anyone", "join",
    "visit", "see", "watch", "come", "available", "offer", "offered", "planned",
    "learn", "know", "find out", "check", "look", "looking", "search", "need", "u", "ur", "pls", "plz",
    # Arabic
    "حلو", "حلوة", "منيح", "منيحة", "كويس", "كويسة", "زين", "بدي", "بدك", "ممتع", "ممتعة", "مفيد", "اشي",
    "salam", "salaam", "marhaba", "اهلا", "أهلا", "السلام عليكم", "السلام", "هلا", "يا جماعة",
    "هي", "هو", "اتعلم", "أتعلم", "اعرف", "أعرف", "معرفة", "اخبرني", "أخبرني", "قل لي", "مهتم", "مهتمة",
    "بخصوص", "حول", "عندي", "سؤال",
    "هل", "ما", "ماذا", "متى", "اين", "أين", "كيف", "هناك", "يوجد", "توجد", "في", "من", "الى", "إلى",
    "على", "عن", "مع", "انا", "أنا", "انت", "أنت", "نحن", "هذا", "هذه", "ذلك", "تلك", "اي", "أي", "كل",
    "او", "أو", "و", "لا", "ان", "أن", "إن", "يجب", "يمكن", "يمكنني", "اريد", "أريد", "ممكن", "لي", "لك",
    "عند", "شي", "شيء", "اي شيء", "بعض", "مرحبا", "شكرا", "لو سمحت", "من فضلك", "ايش", "شو", "وين", "امتى",
    "فيه", "فيها", "التي", "الذي", "الذين", "كان", "يكون", "تكون", "ب", "ل", "يا", "عندكم", "لديكم",
    "هنالك", "أيضا", "ايضا", "جدا", "فقط", "قبل", "بعد", "اذا", "إذا", "ثم", "لكن", "موعد", "الموعد",
    "وقت", "الوقت", "يوم", "تبدأ", "يبدأ", "تقام", "يقام", "اليه", "إليه",
    "shu", "shou", "sho", "shoo", "fi", "fee", "esh", "eish", "ayesh", "wen", "wein", "kif", "keef", "hal",
    "ana", "enta", "inta", "bl", "bil", "ma3", "3an", "min", "ya", "yalla", "mumkin", "badi", "bade",
    # Finnish
    "kivaa", "hauskaa", "siistiä", "hyvää", "mielenkiintoista", "jotain kivaa", "onks", "mitäs",
    "terve", "heippa", "moro", "hejsan", "siis", "niinku",
    "mitä", "mikä", "mitkä", "missä", "milloin", "miten", "miksi", "kuka", "onko", "on", "ovat", "oli",
    "ja", "tai", "se", "ne", "minä", "mä", "sinä", "sä", "me", "te", "he", "kun", "jos", "voi", "voiko",
    "voinko", "haluan", "haluaisin", "mitään", "jotain", "jotakin", "jokin", "joku", "kaikki", "myös",
    "vain", "tämä", "tuo", "nämä", "ei", "kyllä", "hei", "kiitos", "moi", "moikka", "olla", "löytyy",
    "onks", "mulle", "minulle", "sinulle", "meille", "siellä", "täällä", "kanssa", "ennen", "jälkeen",
    "päivä", "aika", "alkaa", "järjestetään", "kiinnostaa", "kiinnostavaa", "mukava", "kiva", "mihin",
    "ole", "olen", "pitää", "täytyy", "tarvitse", "tarvitseeko", "kannattaa", "millainen", "minkälainen",
    "millaista", "millaisia", "kuinka", "paljonko", "mihin aikaan", "tulee", "tuleeko",
    # Somali
    "fiican", "wanaagsan", "xiiso", "xiiso leh", "qurux", "mid fiican",
    "iska warran", "nabad", "asc", "scw", "walaal", "walaalo",
    "ma", "maxaa", "maxay", "maxa", "goorma", "halkee", "sidee", "jiraa", "jira", "waa", "iyo", "ku", "ka",
    "u", "la", "oo", "ah", "aan", "waxaan", "ayaa", "miyaa", "miyuu", "miyay", "wax", "waxa", "kasta",
    "dhammaan", "haa", "maya", "mahadsanid", "salaan", "fadlan", "aniga", "adiga", "annaga", "idinka",
    "iyaga", "ii", "kuu", "noo", "kale", "weli", "sidoo", "kale", "ayuu", "ayay", "yahay", "yihiin",
    "jirtaa", "jiro", "karaa", "kartaa", "doonayaa", "rabaa", "rabaa in", "tahay", "waqtiga", "saacadda",
    "maalinta", "maalin", "bilaabmaa", "qabsoomaa", "xagee", "kee", "keebaa", "walba", "baan", "baa",
    "soo", "ee", "ayaan", "hadii", "haddii", "laakiin", "sida",
    # Persian
    "داریم", "دارین", "داره", "خوب", "باحال", "خوش", "جالبه", "چیزی هست", "میتونم برم",
    "درود", "سلام علیکم", "داداش",
    "درباره", "بگو", "بگویید", "دارید", "داريد", "هایی", "چیست", "کنم", "کنید", "میکنم", "بود", "شود",
    "میخواستم", "بدانم", "بدونم", "یاد", "بگیرم", "هستم", "علاقه", "علاقه مندم", "مورد",
    "چه", "چی", "چیزی", "کی", "کدام", "کدوم", "چطور", "چگونه", "آیا", "است", "هست", "هستند", "در", "به",
    "از", "با", "و", "را", "رو", "که", "این", "آن", "اون", "من", "تو", "شما", "ما", "برای", "هم", "یک",
    "یه", "دارد", "داره", "دارید", "وجود", "وجود دارد", "میخواهم", "میخوام", "میتوانم", "میتونم", "سلام",
    "ممنون", "مرسی", "لطفا", "همه", "فقط", "خیلی", "بعضی", "کدام", "روز", "ساعت", "زمان", "شروع", "میشود",
    "میشه", "برگزار", "برگزار میشود", "باید", "نیست", "بله", "نه", "ها", "های", "ای", "اینجا", "آنجا",
    "هر", "چند", "چندتا", "یا", "اما", "ولی", "تا", "بر", "پیش", "قبل",
    "چیه", "چیا", "هستش", "دارین", "چیکار", "چیکار کنم", "میشه", "اینا", "کی هست",
    # Fillers and forms of address young residents put around a question ("bror … ikväll").
    "bror", "brorsan", "mannen", "asså", "ens", "elr", "o", "å", "polare", "snackar", "dyka", "upp", "me", "nåt",
    "ppl", "smth", "sth", "lol", "lmao", "omg", "even", "wait", "stuff", "wanna", "ya", "yall", "tho", "rly",
    "وش", "شكو", "اكو", "شي", "حبيبي", "كتير", "بقدر", "اجي", "احسن", "عربيتي", "رح", "هاي", "يعني", "طيب",
    "voiks", "saanks", "tarviiks", "kattoo", "katsoa", "tää", "mua", "mul", "teil", "kaa", "oikeen", "viel",
    "vielä", "mitää", "jotai", "sit", "niinku", "just",
    "sxb", "saaxiib", "ahay", "imaan", "iman", "mise", "kaliya", "khasab", "loogu", "talagalay",
    "عاشق", "هنوز", "تو", "دیگه", "بیام", "بیاد", "میتونه", "قبلش", "لازمه", "خوبه",
    "daawan", "daawanayaa", "daawado", "daawasho", "daawo", "lazeme", "lazem", "hamintori", "hamintor",
    "mishe", "umad", "oomad", "biam", "kompis", "kompisen", "vän", "polaren", "friend", "mate", "buddy", "hon",
    "han", "hen", "henne", "honom", "hans", "hennes",
    "عم", "بالضبط", "exactly", "ولا", "ولا لا", "or not", "eller inte", "vai ei", "mise maya", "یا نه",
    "يا شباب", "ya shabab", "ya shebab", "يا جماعه", "fam", "jätkät", "shi", "shee", "el", "il", "3al", "3a", "lal",
    "wala", "walla", "voinks", "puhuu", "eller", "bara", "riktig", "real", "pls", "e", "سنه", "السنه", "عام",
    "العام", "سال", "امسال",
]
# Asking whether one may come ("får ja komma?"): with an age, a question about the age limit.
PERMISSION: list[str] = [
    "får jag komma", "får ja komma", "får man komma", "får jag vara med", "får ja vara med", "får jag gå",
    "kan jag komma", "kan ja komma", "ens komma", "får jag va med", "får ja va med", "va med", "vara med", "för ung",
    "för gammal", "can i come", "can i join", "can i go",
    "am i allowed", "allowed", "too young", "too old", "old enough", "بقدر اجي", "بقدر احضر", "ممكن اجي",
    "ممكن احضر", "مسموح", "يسمح", "اقدر اجي", "اقدر احضر", "صغير", "saanks mä tulla", "saanko tulla",
    "saanks tulla", "voinko tulla", "voinks tulla", "saa tulla", "pääseekö", "pääsenkö", "liian nuori",
    "ma imaan karaa", "ma iman karaa", "ma la ii ogol yahay", "میتونم بیام", "می توانم بیایم", "میتونم شرکت کنم",
    "اجازه", "کوچیکم",
    "får han komma", "får hon komma", "får han vara med", "får hon vara med", "kan han komma", "kan hon komma",
    "can he come", "can she come", "can he join", "can she join", "can they come", "can we come", "can i attend",
    "may i come", "may i join", "is he allowed", "is she allowed", "بيسمحولي", "يسمحولي", "بيسمحوا",
    "بيسمحولو", "مسموحلي", "مسموح لي", "بيقبلوني", "بيقدر يجي", "بتقدر تجي", "ممكن يجي", "ممكن تجي",
    "saako hän tulla", "saaks se tulla", "pääseeks", "pääseekö hän", "ma iman karaa", "ma iman kartaa",
    "ma la ii ogol yahay", "ma loo ogol yahay", "میتونه بیاد", "اجازه میدن", "راهم میدن", "میذارن بیام",
    "is that ok", "is that okay", "is it ok", "går det bra", "funkar det", "käykö se", "onks se ok", "ok onks",
    "مشكله", "في مشكله", "مشکلی نیست", "اشکال نداره", "ma dhib leh",
]

# Asks about things that are not the festival: the honest answer is "I don't know that".
OFF_TOPIC: list[str] = [
    "väder", "vädret", "regn", "regnar", "snö", "fotboll", "fotbollsmatch", "matchen", "derby", "derbyt", "mff",
    "hif", "allsvenskan", "vinner", "vann", "statsminister", "läxa", "läxan", "skämt", "pizza", "melodifestivalen",
    "weather", "rain", "raining", "snow", "football", "soccer", "hockey", "league", "won", "win", "wins",
    "president", "joke", "homework", "capital of",
    "طقس", "الطقس", "مطر", "تمطر", "ستمطر", "الدوري", "مباراه", "المباراه", "ماتش", "يربح", "فاز", "رئيس",
    "نكته", "كوره",
    "sää", "keli", "sataa", "sataako", "lumi", "game", "match", "matsi", "jalkapallo", "jääkiekko", "jääkiekossa",
    "ottelu", "voitti", "voittaa",
    "presidentti", "vitsi",
    "cimilada", "cimilo", "roob", "kubadda", "ciyaarta", "madaxweynaha", "kaftan",
    "هوا", "بارون", "باران", "فوتبال", "بازی", "استقلال", "پرسپولیس", "لیگ", "رئیس جمهور", "جوک",
    # Travel to other cities: a train to Stockholm is not the festival's to answer.
    "stockholm", "göteborg", "gothenburg", "uppsala", "tukholma", "tukholmaan", "ستوكهولم", "ستوكهلم", "استکهلم",
    "استکهولم", "گوتنبرگ", "غوتنبرغ", "flyg", "flyget", "flight", "flights", "lento", "lennot", "طيران", "پرواز",
    "hotell", "hotel", "hotelli", "فندق", "هتل", "diyaarad", "istockholm",
]

# Small talk: what it is, by kind. A message that holds one of these and otherwise only function
# words and fillers is answered as small talk; "human" (asking for a person) always is.
SMALL_TALK: dict[str, list[str]] = {
    "greeting": [
        "hej", "hejsan", "hallå", "tja", "tjena", "tjenare", "tjabba", "morsning", "god morgon", "hi", "hello",
        "hey", "heyy", "hiya", "yo", "sup", "good morning", "hola", "salam", "salaam", "marhaba", "مرحبا",
        "السلام عليكم", "السلام", "سلام", "اهلا", "أهلا", "هلا", "مرحبتين", "hei", "moi", "moikka", "terve",
        "moro", "heippa", "huomenta", "asc", "iska warran", "nabad", "salaan", "سلام علیکم", "درود",
        "how are you", "how r u", "hur mår du", "läget", "hur är läget", "كيف حالك", "كيفك", "شلونك",
        "mitä kuuluu", "mitä kuuluu?", "sidee tahay", "ma nabad baa", "خوبی", "چطوری", "حالت چطوره",
        "god kväll", "god natt", "god dag", "good evening", "good night", "good afternoon", "hii", "tjenixen",
        "wsg", "wassup", "whats up", "what's up", "salam alaikum", "salam aleikum", "salamu alaikum",
        "صباح الخير", "مساء الخير", "هلا والله", "اهلين", "subax wanaagsan", "galab wanaagsan", "habeen wanaagsan",
        "صبح بخیر", "عصر بخیر", "شب بخیر", "hyvää iltaa", "iltaa", "päivää", "hyvää päivää", "heips",
    ],
    "thanks": [
        "tack", "tackar", "tack så mycket", "tusen tack", "thanks", "thank you", "thx", "ty", "tnx",
        "شكرا", "شكرا كتير", "مشكور", "يسلمو", "kiitos", "kiitti", "kiitoksia", "mahadsanid", "mahadsanid walaal",
        "ممنون", "مرسی", "دمت گرم", "مرسی دمت گرم", "merci", "tack bror", "mersi", "thank u", "thanks a lot",
        "tack så mkt", "tack för hjälpen", "thanks for the help", "thanks for helping", "يعطيك العافية",
        "شكرا على المساعدة", "كثر خيرك", "kiitos avusta", "kiitos paljon", "mahadsanid aad", "مرسی از کمکت",
        "خیلی ممنون", "ممنونم",
        "tack tack", "stort tack", "tack ska du ha", "tackar tackar", "du e bäst", "du är bäst", "du är grym",
        "thank you so much", "thanks so much", "thx so much", "ty so much", "tysm", "cheers", "appreciate it",
        "much appreciated", "you're the best", "ur the best", "you are the best", "you rock", "legend",
        "شكرا جزيلا", "مشكورين", "تسلم", "تسلمي", "يسلمو ايديك", "الله يعطيك العافيه", "انت الافضل", "انت الاحسن",
        "shukran", "shokran", "merci ktir", "ya3tik el3afye", "kiitti paljon", "kiitos kovasti", "kiitos kiitos",
        "kiitti kiitti", "olet paras", "oot paras", "sä oot paras", "mahadsanidin", "waad mahadsantahay",
        "mahadsantahay", "aad baad u mahadsantahay", "adaa mahad leh", "mahad", "دستت درد نکنه", "مرسی واقعا",
        "تو بهترینی", "ممنون ازت", "mamnoon", "mamnun", "mersi", "merci merci",
    ],
    "ok": [
        "ok", "okej", "okey", "okay", "k", "kk", "okei", "oki", "selvä", "jees", "bra", "fint", "great", "cool",
        "nice", "najs", "perfect", "perfekt", "تمام", "اوكي", "طيب", "حسنا", "haye", "waayahay", "hagaag",
        "oki doki", "okidoki", "aight", "alright", "all right", "sure", "visst", "got it", "fattar", "jep", "joo",
        "باشه", "اوکی", "عالیه", "خوبه",
    ],
    "bot": [
        "are you a bot", "r u a bot", "are you human", "are you a robot", "are you real", "who are you",
        "what are you", "är du en bot", "är du en robot", "är du en människa", "du en riktig människa",
        "riktig människa", "e du en bot", "vem är du", "vad är du", "انت بوت", "هل انت بوت", "انت روبوت",
        "مين انت", "من انت", "bot wala insan", "inta bot", "enta bot", "oletko botti", "oletko ihminen",
        "kuka sä oot", "kuka olet", "ootsä botti", "bot baad tahay", "ma bot baad tahay", "yaad tahay",
        "ربات هستی", "تو رباتی", "رباتی", "آدمی", "تو کی هستی", "کی هستی",
        "bot", "botti", "robot", "chatbot", "بوت", "ربات", "insan", "انسان", "qof", "ihminen",
        "human", "r u human", "är du riktig", "روبوت", "oikea ihminen", "qof baad tahay", "who am i talking to",
        "who is this", "vem pratar jag med", "vem är det här", "مع مين عم احكي", "مين معي", "kenen kanssa puhun",
        "kuma la hadlayaa", "با کی حرف میزنم", "آدمی یا ربات",
        "who made you", "who built you", "who created you", "who programmed you", "who owns you", "who runs you",
        "who's behind you", "who is behind you", "vem har gjort dig", "vem gjorde dig", "vem skapade dig",
        "vem har skapat dig", "vem har byggt dig", "vem byggde dig", "vem äger dig", "vem ligger bakom dig",
        "مين صنعك", "مين عملك", "مين برمجك", "مين سواك", "من صنعك", "من صممك", "من برمجك", "من انشاك",
        "min sana3ak", "meen sana3ak", "kuka teki sut", "kuka sut teki", "kuka sinut teki", "kuka teki sinut",
        "kuka on tehnyt sinut", "kuka loi sinut", "kuka sut on tehny", "yaa ku sameeyay", "yaa ku sameeyey",
        "yaa ku abuuray", "yaa ku samaysay", "تو رو کی ساخته", "کی تو رو ساخته", "کی ساختت", "کی ساختتت",
        "سازندت کیه", "سازنده ات کیه", "کی درستت کرده", "تورو کی ساخته", "this bot", "den här boten", "boten",
        "البوت", "هالبوت", "هاد البوت", "tän botin", "tämän botin", "botin", "botkan", "botka", "این ربات",
    ],
    "human": [
        "talk to a person", "talk to a real person", "talk to a human", "speak to a human", "speak to a person",
        "real person", "a human", "customer service", "contact someone", "contact a person",
        "prata med en människa", "prata med en person", "prata med någon", "en riktig person", "en människa",
        "kontakta någon", "kontakta er", "أحكي مع شخص", "احكي مع شخص", "اتكلم مع شخص", "شخص حقيقي", "انسان حقيقي",
        "موظف", "ihmisen kaa", "ihmisen kanssa", "oikean ihmisen", "oikeen ihmisen", "puhua ihmiselle",
        "puhuu ihmiselle", "qof dhab ah", "la hadlo qof", "qof la hadlo", "آدم واقعی", "یه آدم", "یک آدم",
        "با یه آدم", "آدم واقعی حرف بزنم", "با یک نفر حرف بزنم", "پشتیبانی",
        "talk to someone", "talk to somebody", "speak to someone", "speak with someone", "talk with someone",
        "call me", "ring me", "ring mig", "prata med nån", "prata med personal", "snacka med nån",
        "prata med nån på riktigt", "احكي مع حدا", "كلم حدا", "اتواصل مع شخص", "اتكلم مع حدا",
        "puhua jonkun kanssa", "jonkun kanssa", "soittaa mulle", "la hadlo qof", "la hadli karaa qof",
        "با یه نفر", "با یک نفر", "یه نفر صحبت", "با یه نفر صحبت کنم",
        "prata me en människa", "prata me en riktig människa", "prata med en riktig människa", "prata me nån",
        "snacka me nån", "snacka med en människa", "prata med en riktig", "prata me en riktig",
        "talk to a real human", "speak to a real human", "a real human", "real human", "actual person",
        "actual human", "انسان حقيقي", "بني ادم", "oikee ihminen", "oikeen ihmisen kaa", "qof dhab ah la hadlo",
        "یه آدم واقعی", "آدم حسابی",
    ],
    # Words that may come with small talk and say nothing more ("tack så mkt", "thanks for the help").
    "filler": [
        "help", "the help", "hjälp", "hjälpen", "avusta", "المساعده", "كمكت", "mkt", "doki", "والله", "aleikum",
        "alaikum", "paljon", "aad", "r", "there", "där", "you too", "dig med", "again", "igen", "uudestaan",
        "جزيلا", "كتير", "خیلی", "ولا", "oletko", "vai",
        "tosi", "todella", "ihan", "jättemycket", "jätte", "sjukt", "mega", "istället", "instead",
        "بدل", "بدلا", "به جاش", "واقعا", "really", "so much", "a million", "a lot",
        # Who made the bot: with a word for the bot, "who built this bot" is about the bot.
        "made", "built", "created", "programmed", "gjort", "gjorde", "skapat", "skapade", "byggt", "byggde",
        "tehny", "tehnyt", "teki", "yaa", "مين", "sameeyay", "sameeyey", "ساخته", "ساخت", "عمل", "صنع", "برمج",
    ],
}

# Words before an event language that say it is not wanted ("min polare snackar inte svenska",
# "en puhu ruotsii", "عربيتي احسن من السويدي"), by the writer's language.
NEGATIONS: dict[str, list[str]] = {
    "sv": ["inte", "ej", "än", "utan"],
    "en": ["not", "dont", "don't", "doesnt", "doesn't", "cant", "can't", "never", "than", "without", "no"],
    "ar": ["مش", "مو", "لا", "بدون", "غير", "احسن من", "افضل من", "اكثر من", "ما بحكي", "ما بعرف", "ما بتكلم"],
    "fi": ["en", "ei", "et", "emme", "kuin", "ilman"],
    "so": ["kuma", "aanan", "maan"],
    "fa": ["نه", "بدون", "غیر", "بهتر از", "بهتره از", "نمیتونم", "بلد نیستم"],
}

# fmt: on
