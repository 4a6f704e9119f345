"""The ready draft every school starts from, in Dutch and English, built from Dutch school-safety guidance.

The school adapts it and publishes it; nothing here is shown to anyone until a school publishes.
Each rule carries its consequences ladder, so the code always answers "what happens if".
"""
import copy

from .models import STAFF


def _t(nl: str, en: str) -> dict:
    return {"nl": nl, "en": en}


_REPORT = _t(
    "Zie of hoor je dat beelden, filmpjes of berichten rondgaan die iemand kwetsen? Meld het via de "
    "knop **Meld een incident** in de ELO, of bij je mentor of de anti-pestcoördinator. Je mag "
    "vertrouwelijk melden. **Stuur nooit zelf naaktbeelden door, ook niet als bewijs:** beschrijf "
    "waar je ze zag (platform, link, account). In direct gevaar: bel **112**.",
    "Do you see or hear that images, videos or messages are going round that hurt someone? Report "
    "it with the **Report an incident** button in the LMS, or tell your mentor or the anti-bullying "
    "coordinator. You may report confidentially. **Never forward nude images yourself, not even as "
    "evidence:** describe where you saw them (platform, link, account). In immediate danger: call "
    "**112**.")

STUDENT_CODE = {
    "title": _t("Gedragscode telefoon en social media voor leerlingen",
                "Code of conduct on phones and social media for students"),
    "intro": _t(
        "Op onze school gaan we veilig en respectvol met elkaar om, in de klas en online. Deze regels "
        "gelden voor alle leerlingen. Bij elke regel staat wat er gebeurt als je je er niet aan "
        "houdt. Straf gaat bij ons altijd samen met begeleiding, en ouders van minderjarige "
        "leerlingen worden altijd geïnformeerd.",
        "At our school we treat each other safely and with respect, in class and online. These rules "
        "apply to every student. Each rule says what happens if you break it. A sanction always comes "
        "with guidance, and the parents of students under 18 are always informed."),
    "rules": [
        {"key": "phones-in-class",
         "title": _t("Telefoon in de les", "Phones in class"),
         "body": _t(
             "Je telefoon is in de les uit en opgeborgen in je kluisje of in de telefoontas, tenzij "
             "de docent hem voor de les laat gebruiken of je een uitzondering hebt. Dit is de "
             "landelijke regel voor het voortgezet onderwijs.\n\n"
             "**Een uitzondering aanvragen:** heb je je telefoon nodig om medische of andere "
             "persoonlijke redenen (bijvoorbeeld een glucosesensor of een zorgsituatie thuis), of voor "
             "een hulpmiddel bij het leren? Vraag het aan je mentor; je ouders mogen het ook doen. Je "
             "hoeft niet te vertellen welke ziekte of behandeling het is. Je krijgt de uitzondering "
             "voor een bepaalde tijd, hoogstens een schooljaar; je docenten zien dat je hem hebt en tot "
             "wanneer, en jij ziet hem in Veilig Online.",
             "In class your phone is off and put away in your locker or the phone pouch, unless the "
             "teacher lets you use it for the lesson or you have an exception. This is the national "
             "rule for secondary schools.\n\n"
             "**Asking for an exception:** do you need your phone for a medical or other personal "
             "reason (a glucose sensor, say, or a care situation at home), or as an aid for learning? "
             "Ask your mentor; your parents may ask too. You do not have to say which illness or "
             "treatment it is. You get the exception for a set time, at most one school year; your "
             "teachers see that you have one and until when, and you see it in Veilig Online."),
         "ladder": [
             _t("De docent spreekt je aan; je levert je telefoon in tot het eind van de les.",
                "The teacher talks to you; you hand in your phone until the end of the lesson."),
             _t("Je levert je telefoon in tot het eind van de dag; je mentor wordt ingelicht.",
                "You hand in your phone until the end of the day; your mentor is told."),
             _t("Je ouders worden ingelicht en je hebt een gesprek met je mentor.",
                "Your parents are informed and you have a talk with your mentor."),
             _t("Nablijven en een afspraak over je telefoon met de teamleider.",
                "Detention and an agreement about your phone with the team leader."),
         ]},
        {"key": "filming-others",
         "title": _t("Filmen en fotograferen van anderen", "Filming and photographing others"),
         "body": _t(
             "Je filmt, fotografeert of neemt niemand op zonder dat die persoon ermee instemt: geen "
             "leerlingen, geen docenten, geen ander personeel. Stiekem filmen van personeel is nooit "
             "toegestaan. Een vechtpartij of vernedering film je niet: haal hulp.",
             "You do not film, photograph or record anyone without their consent: no students, no "
             "teachers, no other staff. Filming staff secretly is never allowed. You do not film a "
             "fight or a humiliation: get help."),
         "ladder": [
             _t("Gesprek met je mentor; je verwijdert de beelden waar de school bij is.",
                "A talk with your mentor; you delete the images with the school present."),
             _t("Je ouders worden ingelicht; nablijven of een taakstraf.",
                "Your parents are informed; detention or a task."),
             _t("Schorsing, met een gesprek met jou en je ouders over herstel.",
                "Suspension, with a talk with you and your parents about putting it right."),
             _t("Bij strafbare feiten: melding of aangifte bij de politie.",
                "Where it is a crime: a report to the police."),
         ]},
        {"key": "sharing-forwarding",
         "title": _t("Delen en doorsturen", "Sharing and forwarding"),
         "body": _t(
             "Doorsturen, opnieuw plaatsen, reageren en liken doe je zelf: je bent er verantwoordelijk "
             "voor. Je deelt geen beelden of berichten die iemand kwetsen, bedreigen of belachelijk "
             "maken. **Naaktbeelden van iemand onder de 18 bekijken, bewaren of doorsturen is "
             "strafbaar**, ook als je ze zelf kreeg: verwijder ze en meld het.",
             "Forwarding, reposting, commenting and liking are things you do yourself: you are "
             "accountable for them. You do not share images or messages that hurt, threaten or "
             "ridicule someone. **Viewing, keeping or forwarding nude images of anyone under 18 is a "
             "crime**, even if you were sent them: delete them and report it."),
         "ladder": [
             _t("Gesprek met je mentor en de anti-pestcoördinator; je verwijdert wat je deelde.",
                "A talk with your mentor and the anti-bullying coordinator; you delete what you shared."),
             _t("Je ouders worden ingelicht; een herstelgesprek met wie je kwetste.",
                "Your parents are informed; a restorative talk with the person you hurt."),
             _t("Schorsing.", "Suspension."),
             _t("Melding of aangifte bij de politie; bij herhaling verwijdering van school.",
                "A report to the police; when repeated, removal from the school."),
         ]},
        {"key": "outside-school",
         "title": _t("Online gedrag buiten school", "Online conduct outside school"),
         "body": _t(
             "Deze regels gelden ook buiten school en na schooltijd, online en offline, als wat je "
             "doet leerlingen of personeel van de school raakt. Pesten, bedreigen of iemand "
             "nadoen met een nepaccount is nooit 'alleen een grapje'.",
             "These rules also apply outside school and after school hours, online and offline, when "
             "what you do affects students or staff of the school. Bullying, threatening or "
             "impersonating someone with a fake account is never 'just a joke'."),
         "ladder": [
             _t("Gesprek met je mentor en de anti-pestcoördinator.",
                "A talk with your mentor and the anti-bullying coordinator."),
             _t("Je ouders worden ingelicht; een herstelgesprek.",
                "Your parents are informed; a restorative talk."),
             _t("Schorsing.", "Suspension."),
             _t("Melding of aangifte bij de politie.", "A report to the police."),
         ]},
    ],
    "report": _REPORT,
    "questions": [
        {"prompt": _t("Mag je in de les je telefoon gebruiken om een vraag op te zoeken?",
                      "May you use your phone in class to look something up?"),
         "options": [_t("Ja, altijd", "Yes, always"),
                     _t("Alleen als de docent het voor de les toestaat",
                        "Only when the teacher allows it for the lesson"),
                     _t("Ja, als je hem daarna weer opbergt", "Yes, if you put it away afterwards")],
         "answer": 1, "rule": "phones-in-class"},
        {"prompt": _t("Iemand stuurt je een naaktfoto van een klasgenoot. Wat doe je?",
                      "Someone sends you a nude photo of a classmate. What do you do?"),
         "options": [_t("Doorsturen naar een docent als bewijs", "Forward it to a teacher as evidence"),
                     _t("Niet doorsturen, verwijderen en melden", "Don't forward it, delete it and report it"),
                     _t("Bewaren voor het geval dat", "Keep it just in case")],
         "answer": 1, "rule": "sharing-forwarding"},
        {"prompt": _t("Gelden deze regels ook in het weekend in een groepsapp?",
                      "Do these rules apply at the weekend in a group chat too?"),
         "options": [_t("Nee, alleen op school", "No, only at school"),
                     _t("Ja, als het leerlingen of personeel van school raakt",
                        "Yes, when it affects students or staff of the school")],
         "answer": 1, "rule": "outside-school"},
    ],
}

STAFF_CODE = {
    "title": _t("Gedragscode telefoon en social media voor medewerkers",
                "Code of conduct on phones and social media for staff"),
    "intro": _t(
        "Als medewerker ben je een voorbeeld voor leerlingen en beheer je hun gegevens. Deze regels "
        "gelden voor iedereen die op school werkt. Bij elke regel staat wat er gebeurt als je je er "
        "niet aan houdt.",
        "As a member of staff you set an example for students and you handle their data. These rules "
        "apply to everyone who works at the school. Each rule says what happens if you break it."),
    "rules": [
        {"key": "staff-phones",
         "title": _t("Telefoon in de les", "Phones in class"),
         "body": _t(
             "Je gebruikt je telefoon in de les alleen voor het onderwijs of in een noodgeval, en je "
             "handhaaft de telefoonregel voor leerlingen consequent. Welke leerlingen een uitzondering "
             "hebben, en tot wanneer, zie je in Veilig Online in het overzicht van je vak; naar de reden "
             "vraag je niet.",
             "You use your phone in class only for teaching or in an emergency, and you enforce the "
             "students' phone rule consistently. Which students have an exception, and until when, you "
             "see in Veilig Online in your course's overview; you do not ask for the reason."),
         "ladder": [_t("Gesprek met je leidinggevende.", "A talk with your manager."),
                    _t("Afspraken vastgelegd in je dossier.", "Agreements recorded in your file.")]},
        {"key": "staff-images",
         "title": _t("Beelden en gegevens van leerlingen", "Images and data of students"),
         "body": _t(
             "Je maakt en deelt alleen beelden van leerlingen met toestemming en via de kanalen van "
             "school, nooit op je privételefoon of privéaccounts. Naaktbeelden van een leerling "
             "bekijk, bewaar of stuur je nooit door, ook niet als bewijs: je meldt het direct bij de "
             "coördinator.",
             "You take and share images of students only with consent and through the school's "
             "channels, never on your private phone or private accounts. You never view, keep or "
             "forward a nude image of a student, not even as evidence: you report it to the "
             "coordinator at once."),
         "ladder": [_t("Gesprek met je leidinggevende; de beelden worden verwijderd.",
                       "A talk with your manager; the images are deleted."),
                    _t("Schriftelijke waarschuwing.", "A written warning."),
                    _t("Arbeidsrechtelijke maatregelen; bij strafbare feiten aangifte.",
                       "Employment measures; where it is a crime, a report to the police.")]},
        {"key": "staff-online-contact",
         "title": _t("Online contact met leerlingen en ouders", "Online contact with students and parents"),
         "body": _t(
             "Je hebt contact met leerlingen en ouders via de kanalen van school, niet via privéchats. "
             "Je gaat online geen discussie aan met leerlingen of ouders en je spreekt je niet "
             "kwetsend uit over leerlingen, ouders of collega's.",
             "You contact students and parents through the school's channels, not private chats. You "
             "do not argue with students or parents online and you do not speak hurtfully about "
             "students, parents or colleagues."),
         "ladder": [_t("Gesprek met je leidinggevende.", "A talk with your manager."),
                    _t("Schriftelijke waarschuwing.", "A written warning."),
                    _t("Arbeidsrechtelijke maatregelen.", "Employment measures.")]},
        {"key": "staff-report-duty",
         "title": _t("Signaleren en melden", "Noticing and reporting"),
         "body": _t(
             "Hoor of zie je een incident, dan meld je het dezelfde dag bij de anti-pestcoördinator "
             "of vertrouwenspersoon en stel je geen sturende vragen. Een vermoeden van een zedendelict "
             "door een medewerker tegen een leerling meld je direct bij het bestuur.",
             "When you hear of or see an incident, you report it the same day to the anti-bullying "
             "coordinator or confidential adviser, and you do not ask leading questions. A suspicion "
             "of a sexual offence by a member of staff against a student you report to the board at "
             "once."),
         "ladder": [_t("Gesprek met je leidinggevende.", "A talk with your manager."),
                    _t("Arbeidsrechtelijke maatregelen.", "Employment measures.")]},
    ],
    "report": _t(
        "Meld incidenten via de knop **Meld een incident** in de ELO of direct bij de coördinator. "
        "In direct gevaar: bel **112**.",
        "Report incidents with the **Report an incident** button in the LMS or to the coordinator "
        "directly. In immediate danger: call **112**."),
    "questions": [],
}


def default_content(audience: str) -> dict:
    """A fresh copy of the default code for an audience."""
    return copy.deepcopy(STAFF_CODE if audience == STAFF else STUDENT_CODE)
