"""What each finding means and how to fix it, in Welsh: the same checks and {placeholders} as messages.TEXTS.

Data only, for the web pages under /cy/ (the engine imports no Django, so its Welsh is kept here rather than in a
gettext catalogue). The words the engine puts into the placeholders (types, kinds of item, formats, time limits,
dates compared) have their Welsh here too; free text the engine quotes (the schema's rule messages, an extension's
reason, a field's deprecation note) stays English, as in the standard. tests/ocds/review/test_messages_cy.py keeps
the keys and placeholders the same as the English.

Written in the plain register of GOV.WALES, using "chi"; the words follow the glossary of the site's catalogues:
datganiad (release), cofnod (record), sgema (schema), pecyn (package), darparwr, contract, dyfarniad, tendr.
"""

from __future__ import annotations

import re
from typing import Any

TEXTS_CY: dict[str, tuple[str, str]] = {
    # JSON Schema: the data does not have the shape OCDS requires (errors)
    "schema.required": (
        "Nid oes gan {parent} '{missing}'. Mae OCDS yn ei gwneud yn ofynnol.",
        "Ychwanegwch '{missing}' at {parent} sydd hebddo. {missing_hint}",
    ),
    "schema.type": (
        "Dylai '{field}' fod yn {expected}, ond mae'n {actual}.",
        "Gwnewch '{field}' yn {expected}. Ni ddylai rhifau fod mewn dyfynodau, dylai testun fod, ac mae rhestrau'n "
        "defnyddio [ ].",
    ),
    "schema.closed-codelist": (
        "Mae gan '{field}' werth nad yw'n cael ei ganiatáu. Rhaid iddo fod yn un o'r codau yn y rhestr godau "
        "{codelist}.",
        "Y gwerthoedd a ddefnyddiwyd: {values}. Defnyddiwch un o'r rhain: {allowed}. Mae priflythrennau a "
        "llythrennau bach yn bwysig mewn codau.",
    ),
    "schema.enum": (
        "Mae gan '{field}' werth nad yw'n cael ei ganiatáu.",
        "Defnyddiwch un o'r rhain: {allowed}.",
    ),
    "schema.date-time": (
        "Nid yw '{field}' yn ddyddiad ac amser yn y fformat y mae OCDS yn ei ddefnyddio.",
        "Ysgrifennwch ddyddiadau fel 2025-03-31T00:00:00Z neu 2025-03-31T09:30:00+01:00: blwyddyn-mis-diwrnod, T, yr "
        "amser, a'r gylchfa amser. Nid yw dyddiad ar ei ben ei hun, na dyddiad wedi'i ysgrifennu fel 31/03/2025, yn "
        "ddigon.",
    ),
    "schema.uri": (
        "Nid yw '{field}' yn gyfeiriad gwe llawn.",
        "Rhowch y cyfeiriad cyfan, gan ddechrau gyda https:// (er enghraifft https://example.org/contract.pdf), heb "
        "fylchau.",
    ),
    "schema.format": (
        "Nid yw '{field}' yn y fformat disgwyliedig ({format}).",
        "Gwiriwch y gwerth yn erbyn y fformat a ddisgrifir ar gyfer y maes hwn.",
    ),
    "schema.pattern": (
        "Nid oes gan '{field}' y ffurf y mae'r maes hwn yn gofyn amdani.",
        "Rhaid i'r gwerth gyd-fynd â'r patrwm {pattern}.",
    ),
    "schema.min-items": (
        "Mae gan '{field}' lai o gofnodion nag y mae OCDS yn gofyn amdanynt (o leiaf {limit}).",
        "Ychwanegwch y cofnodion sydd ar goll, neu gadewch '{field}' allan os nad oes dim i'w ddweud.",
    ),
    "schema.max-items": (
        "Mae gan '{field}' fwy o gofnodion nag y mae OCDS yn eu caniatáu.",
        "Tynnwch y cofnodion ychwanegol.",
    ),
    "schema.unique-items": (
        "Mae'r un cofnod yn '{field}' fwy nag unwaith.",
        "Tynnwch y cofnodion sy'n cael eu hailadrodd: rhaid i bob cofnod yn y rhestr hon fod yn wahanol.",
    ),
    "schema.one-of": (
        "Nid yw '{field}' yn cyd-fynd ag unrhyw un o'r siapiau y mae OCDS yn eu caniatáu yma.",
        "Mae datganiadau cofnod naill ai i gyd yn ddolenni (url a dyddiad) neu i gyd yn ddatganiadau llawn: peidiwch "
        "â'u cymysgu.",
    ),
    "ocds.unreadable-number": (
        "Mae '{field}' yn cynnwys {text}, nad yw'n rif y gellir ei ddarllen: {reason}. Mae wedi'i gadw fel testun, "
        "fel y cafodd ei ysgrifennu, a chafodd gweddill y data ei wirio.",
        "Ysgrifennwch '{field}' fel digidau plaen heb fylchau a heb seroau ar y dechrau (er enghraifft 1000 neu "
        "1250.50), neu gadewch ef allan os nad oes ffigur go iawn. Gwiriwch y system a wnaeth y ffeil: mae gwerth "
        "fel 1e9999 yn golygu ei bod wedi ysgrifennu rhif na allai ei ddal.",
    ),
    "schema.number-range": ("Mae '{field}' y tu allan i'r ystod a ganiateir.", "Gwiriwch y rhif: {detail}"),
    "schema.string-length": ("Mae '{field}' yn rhy hir neu'n rhy fyr.", "Gwiriwch y testun: {detail}"),
    "schema.other": ("Nid yw '{field}' yn bodloni un o reolau'r sgema ({keyword}).", "{detail}"),
    # OCDS conformance and structure
    "ocds.additional-field": (
        "Nid yw '{field}' yn faes yn OCDS nac yn yr estyniadau y mae'r data hwn yn eu datgan.",
        "Os camgymeriad teipio ydyw, cywirwch ef (mae priflythrennau a llythrennau bach yn bwysig mewn enwau). Os "
        "yw'n perthyn i estyniad, rhestrwch yr estyniad yn 'extensions' y pecyn. Fel arall, cewch ei gadw, ond ni "
        "fydd offer eraill yn ei ddeall.",
    ),
    "ocds.deprecated-field": (
        "Mae '{field}' yn anghymeradwy: mae OCDS yn bwriadu ei dynnu.",
        "{deprecation}",
    ),
    "ocds.open-codelist-value": (
        "Mae '{field}' yn defnyddio gwerth nad yw yn y rhestr godau {codelist}. Mae hynny'n cael ei ganiatáu, ond "
        "ni fydd cyhoeddwyr ac offer eraill yn gwybod beth mae'n ei olygu.",
        "Y gwerthoedd a ddefnyddiwyd: {values}. Defnyddiwch god o'r rhestr godau os oes un yn addas: {allowed}.",
    ),
    "ocds.empty-field": (
        "Mae '{field}' yn wag.",
        "Gadewch allan feysydd sydd heb ddim ynddynt, yn hytrach na chyhoeddi testun, rhestrau neu wrthrychau gwag.",
    ),
    "ocds.duplicate-release-id": (
        "Mae gan ddau ddatganiad neu fwy yr un ocid ac id. Rhaid gallu adnabod pob datganiad ar ei ben ei hun.",
        "Rhowch 'id' ei hun i bob datganiad mewn proses gontractio (er enghraifft, ychwanegwch y dyddiad neu rif).",
    ),
    "ocds.duplicate-id-in-array": (
        "Mae gan ddau gofnod neu fwy yn '{field}' yr un id. Pan fydd datganiadau'n cael eu cyfuno, mae cofnodion yn "
        "cael eu paru yn ôl id, felly byddai un yn disodli'r llall yn dawel.",
        "Rhowch id ei hun i bob cofnod yn y rhestr (er enghraifft 1, 2, 3; neu doc-1, doc-2 ar gyfer dogfennau).",
    ),
    "ocds.duplicate-record-ocid": (
        "Mae gan ddau gofnod neu fwy yr un ocid. Mae gan becyn cofnodion un cofnod ar gyfer pob proses gontractio.",
        "Cyfunwch y cofnodion sydd â'r un ocid yn un.",
    ),
    "ocds.ocid-prefix": (
        "Nid yw'r ocid yn dechrau gyda rhagddodiad cofrestredig ('ocds-' a chwe llythyren neu ddigid).",
        "Dechreuwch bob ocid gyda'ch rhagddodiad OCID (er enghraifft ocds-b5fd17-). Gofynnwch am un gan yr Open "
        "Contracting Partnership os nad oes gennych un.",
    ),
    "ocds.version-missing": (
        "Nid oes 'version' gan y pecyn, felly gwnaeth opencare ei wirio fel OCDS 1.0, fel y mae'r safon yn ei "
        "ddweud. O dan OCDS 1.0, mae rhestrau fel tenderers a suppliers yn cael eu disodli'n gyfan pan fydd "
        "datganiadau'n cael eu cyfuno, nid eu huno yn ôl id.",
        'Os OCDS 1.1 yw\'r data, ychwanegwch "version": "1.1" at y pecyn. Os OCDS 1.0 ydyw, nid oes angen trwsio dim.',
    ),
    "ocds.version-unrecognised": ("{note}", "Gosodwch 'version' y pecyn i \"1.1\"."),
    "ocds.extension-not-applied": (
        "Ni chafodd estyniad y mae'r data yn ei ddatgan ei gymhwyso: {reason}",
        "Gwiriwch gyfeiriad yr estyniad. Mae opencare yn cadw copïau o'r estyniadau y mae cyhoeddwyr y DU yn eu "
        "defnyddio; mae meysydd o estyniadau eraill yn cael eu rhestru fel meysydd ychwanegol.",
    ),
    "review.stopped-at-item-limit": (
        "Mae nifer y {kind} yn y ffeil hon yn fwy na {limit}, y nifer mwyaf y mae un adolygiad yn ei wirio; daeth yr "
        "adolygiad i ben yno. Dim ond y {checked} cyntaf o'r {kind} y mae'r adroddiad yn eu cynnwys.",
        "Rhannwch y data yn ffeiliau sydd heb fwy na {limit} o'r {kind} ym mhob un ac adolygwch bob un, neu "
        "gwiriwch y ffeil gyfan ar eich cyfrifiadur eich hun gyda `opencare review FILE`, sydd heb derfyn o'r fath.",
    ),
    "review.stopped-at-time-limit": (
        "Cymerodd gwirio'r ffeil hon fwy na {limit}, yr amser hiraf y caiff un adolygiad ei gymryd, felly daeth yr "
        "adolygiad i ben hanner ffordd. Dim ond y {checked} cyntaf o'r {kind} y mae'r adroddiad yn eu cynnwys.",
        "Rhannwch y data yn ffeiliau llai ac adolygwch bob un, neu gwiriwch y ffeil gyfan ar eich cyfrifiadur eich "
        "hun gyda `opencare review FILE`, sydd heb derfyn o'r fath.",
    ),
    "ocds.no-items": (
        "Nid oes {kind} yn y data.",
        "Gwiriwch mai'r ffeil gywir a ddewiswyd a bod y {kind} wedi'u cynnwys yn yr allforio.",
    ),
    "ocds.not-packaged": (
        "{format} yw hwn, nid pecyn datganiadau, felly nid oes ganddo gyhoeddwr, trwydded na dyddiad cyhoeddi.",
        "Cyhoeddwch ddatganiadau y tu mewn i becyn datganiadau, gyda uri, publisher, license, publishedDate a "
        "version.",
    ),
    "ocds.same-date-for-ocid": (
        "Mae gan ddau ddatganiad o'r un broses gontractio yr un dyddiad, felly does dim modd eu rhoi mewn trefn.",
        "Rhowch union amser cyhoeddi pob datganiad, fel bod yr wybodaeth ddiweddaraf yn cael ei defnyddio pan "
        "fyddant yn cael eu cyfuno.",
    ),
    # Quality: consistent with itself
    "quality.period-end-before-start": (
        "Mae cyfnod yn '{field}' yn dod i ben cyn iddo ddechrau.",
        "Gwiriwch y dyddiadau dechrau a gorffen; efallai eu bod y ffordd anghywir.",
    ),
    "quality.dates-out-of-order": (
        "Mae {later_label} cyn {earlier_label}, ac ni all hynny fod yn iawn.",
        "Gwiriwch y ddau ddyddiad. Mae camau'n digwydd mewn trefn: tendr, dyfarniad, contract, ac yna'r gwasanaeth.",
    ),
    "quality.milestone-met-in-future": (
        "Mae carreg filltir (fel adolygiad interim) wedi'i nodi fel un a gyflawnwyd, ond mae ei '{field}' ar ôl i'r "
        "datganiad gael ei gyhoeddi, neu ar ôl heddiw: ni all fod wedi'i chyflawni eto.",
        "Cyhoeddwch yr adolygiad ar ôl iddo ddigwydd, gyda'r dyddiad y cafodd ei gynnal. I gyhoeddi adolygiad sydd "
        "eto i ddod, rhowch y statws 'scheduled' a'i 'dueDate' iddo yn lle hynny.",
    ),
    "quality.contract-value-above-award": (
        "Mae contract werth mwy na'r dyfarniad y mae'n dod ohono.",
        "Gwiriwch werthoedd y contract a'r dyfarniad, a bod awardID y contract yn pwyntio at y dyfarniad cywir.",
    ),
    "quality.transactions-above-contract": (
        "Mae'r taliadau o dan gontract yn dod i fwy na gwerth y contract.",
        "Gwiriwch y taliadau (implementation/transactions) a gwerth y contract; os cafodd y contract ei estyn, "
        "cyhoeddwch ddiwygiad gyda'r gwerth newydd.",
    ),
    "quality.unknown-award-reference": (
        "Nid yw awardID contract yn cyfateb i unrhyw ddyfarniad yn y datganiad.",
        "Gwnewch awardID pob contract yr un fath ag id y dyfarniad y mae'n dod ohono, a chynhwyswch y dyfarniad "
        "hwnnw.",
    ),
    "quality.unknown-lot-reference": (
        "Mae '{field}' yn enwi lot nad yw yn tender/lots.",
        "Defnyddiwch id un o'r lotiau a restrir yn tender/lots.",
    ),
    "quality.unknown-party-reference": (
        "Nid yw '{role}' wedi'i restru yn 'parties', felly ni all darllenwyr ddod o hyd i'w fanylion.",
        "Ychwanegwch y sefydliad at 'parties' gyda'r un id, neu cywirwch yr id.",
    ),
    # Metrics: targets and actuals people can compare
    "metrics.value-and-measure": (
        "Mae gan arsylwad 'value' a 'measure'.",
        "Defnyddiwch 'value' (swm ac arian cyfred) ar gyfer arian, fel y pris yr awr, a 'measure' ar gyfer popeth "
        "arall.",
    ),
    "metrics.no-value-or-measure": (
        "Nid oes gan arsylwad 'value' na 'measure', felly nid yw'n dweud dim.",
        "Ychwanegwch y ffigur: 'value' gyda swm ac arian cyfred ar gyfer arian, 'measure' ar gyfer rhifau eraill.",
    ),
    "metrics.unit-scheme": (
        "Nid yw uned arsylwad yn dweud ei bod yn defnyddio codau unedau UN/CEFACT.",
        'Gosodwch unit/scheme i "UNCEFACT" ac unit/id i\'r cod, e.e. P1 ar gyfer y cant, HUR ar gyfer oriau.',
    ),
    "metrics.unknown-unit-code": (
        "Nid yw'r cod uned '{value}' yn un y mae opencare yn ei adnabod o Argymhelliad 20 UN/CEFACT.",
        "Gwiriwch y cod. Rhai cyffredin: P1 y cant, HUR awr, MIN munud, C62 nifer, DAY diwrnod, MON mis.",
    ),
    "metrics.actual-without-period": (
        "Nid oes cyfnod gan ffigur a adroddwyd (ffigur gwirioneddol), felly ni all neb ddweud pa fis neu flwyddyn "
        "y mae ar ei gyfer.",
        "Ychwanegwch period/startDate a period/endDate at bob arsylwad yn implementation/metrics.",
    ),
    "metrics.unit-mismatch": (
        "Mae'r targed a'r ffigurau gwirioneddol ar gyfer '{metric}' yn defnyddio unedau gwahanol ({units}), felly "
        "nid oes modd eu cymharu.",
        "Defnyddiwch yr un uned ar gyfer targedau mesur a'i ffigurau gwirioneddol.",
    ),
    "metrics.local-metric": (
        "Nid yw'r mesur '{metric}' yng nghatalog mesurau opencare. Bydd yn cael ei ddangos, ond ni fydd yn cael ei "
        "gymharu ar draws contractau.",
        "Os oes mesur yn y catalog sy'n golygu'r un peth, defnyddiwch ei id (gweler y dudalen Safon data). Fel arall, "
        "cadwch ef: mae croeso i fesurau lleol.",
    ),
    "metrics.measure-classification": (
        "Nid yw measureClassification '{value}' yn un o godau'r DU.",
        "Defnyddiwch met, slightlyBelow, below, significantlyBelow neu other.",
    ),
    "metrics.small-survey-count": (
        "Mae canlyniad arolwg ar gyfer '{metric}' yn cyfrif llai na 5 o bobl, a gallai hynny ddangos pwy yw rhywun.",
        "Cyfunwch grwpiau bach (er enghraifft drwy uno atebion neu gyfnodau) fel bod pob cyfrif a gyhoeddir yn 5 o "
        "leiaf, neu gadewch y gell allan.",
    ),
    # Parties
    "parties.identifier-pattern": (
        "Nid yw dynodydd sefydliad yn edrych fel dynodydd {scheme} ({expected}).",
        "Gwiriwch y dynodydd: {expected}.",
    ),
}

#: For a check the engine has no text for: the same placeholders as messages.explain's fallback.
FALLBACK_CY = ("{check}: {detail}", "Gweler disgrifiad y maes.")

HINTS_CY = {
    "releases/id": "Rhaid i id datganiad fod yn unigryw o fewn ei broses gontractio, e.e. rhif yr hysbysiad.",
    "releases/ocid": "Yr ocid yw eich rhagddodiad OCID ac yna eich id eich hun ar gyfer y broses gontractio.",
    "releases/date": "Y dyddiad yw pryd y cafodd y datganiad ei gyhoeddi, e.e. 2025-03-31T09:00:00Z.",
    "releases/tag": 'Mae\'r tag yn dweud pa gam y mae\'r datganiad yn ei ddisgrifio, e.e. ["tender"] neu ["award"].',
    "releases/initiationType": 'Ar gyfer tendr, defnyddiwch "tender".',
    "releases/tender/id": "Mae id y tendr yn dynodi'r tendr o fewn ei broses gontractio, e.e. rhif hysbysiad y "
    "tendr neu'r ocid.",
    "records/ocid": "Yr ocid yw eich rhagddodiad OCID ac yna eich id eich hun ar gyfer y broses gontractio.",
    "publisher": "Y cyhoeddwr yw'r sefydliad sy'n cyhoeddi'r data: rhowch ei enw o leiaf.",
    "publisher/name": "Enw'r cyhoeddwr yw enw'r sefydliad sy'n cyhoeddi'r data, e.e. y cyngor.",
    "uri": "uri y pecyn yw'r cyfeiriad gwe lle mae'r ffeil hon wedi'i chyhoeddi.",
    "publishedDate": "publishedDate yw pryd y cafodd y ffeil hon ei chyhoeddi, e.e. 2025-03-31T09:00:00Z.",
    "version": "Y fersiwn yw'r fersiwn o OCDS y mae'r data yn ei dilyn: \"1.1\".",
    "*/id": "Mae angen id ar bob eitem mewn rhestr nad oes gan unrhyw eitem arall yn yr un rhestr, e.e. 1, 2, 3.",
}

#: messages.SHEET_HINTS in Welsh.
SHEET_HINTS_CY = {
    "releases/tag": "Mae'r tag yn dweud pa gam y mae'r datganiad yn ei ddisgrifio, e.e. tender neu award (dewiswch "
    "o'r gwymplen, neu gwahanwch sawl un ag ;).",
    "releases/initiationType": "Ar gyfer tendr, ysgrifennwch tender.",
    "version": "Y fersiwn yw'r fersiwn o OCDS y mae'r data yn ei dilyn: 1.1.",
}

#: messages.SHEET_FIXES in Welsh: the same checks and placeholders.
SHEET_FIXES_CY = {
    "schema.required": "Llenwch y gell ar gyfer '{field_path}' ar y rhes a ddangosir isod (ychwanegwch y golofn os "
    "nad oes un ar y ddalen). {missing_hint}",
    "schema.type": "Newidiwch y gell i {expected}: dim ond digidau sydd mewn cell rhif (dim £, comas na geiriau), "
    "ac mae cell â sawl eitem yn eu gwahanu ag ;.",
    "schema.closed-codelist": "Gwerthoedd a ddefnyddiwyd: {values}. Dewiswch un o'r rhain o gwymplen y golofn, neu "
    "teipiwch ef yn union: {allowed}. Mae priflythrennau a llythrennau bach yn bwysig yn y codau.",
    "schema.enum": "Dewiswch un o'r rhain o gwymplen y golofn, neu teipiwch ef yn union: {allowed}.",
    "schema.date-time": "Ysgrifennwch y dyddiad yn y gell fel testun fel 2025-03-31T00:00:00Z neu "
    "2025-03-31T09:30:00+01:00: blwyddyn-mis-diwrnod, T, yr amser, a'r gylchfa amser. Fformatiwch y golofn fel "
    "testun yn gyntaf, fel nad yw'r rhaglen daenlen yn ei droi'n 31/03/2025.",
    "schema.min-items": "Ychwanegwch y rhesi sydd ar goll, neu gadewch gelloedd '{field}' yn wag os nad oes dim i'w "
    "ddweud.",
    "schema.unique-items": "Tynnwch yr eitemau sy'n cael eu hailadrodd o'r gell: rhaid i bob eitem sydd wedi'i "
    "gwahanu ag ; fod yn wahanol.",
    "schema.one-of": "Mae datganiadau cofnod naill ai i gyd yn ddolenni neu i gyd yn ddatganiadau llawn: peidiwch â'u "
    "cymysgu ar y ddalen.",
    "ocds.unreadable-number": "Ysgrifennwch '{field}' fel digidau plaen heb fylchau a heb seroau ar y dechrau (er "
    "enghraifft 1000 neu 1250.50), neu gadewch y gell yn wag os nad oes ffigur go iawn.",
    "ocds.additional-field": "Os oes camgymeriad teipio ym mhennawd y golofn, cywirwch ef (mae priflythrennau a "
    "llythrennau bach yn bwysig), neu copïwch y pennawd o'r templed. Os yw'n perthyn i estyniad, ychwanegwch "
    "gyfeiriad yr estyniad at res extensions y ddalen Meta. Fel arall, cewch gadw'r golofn, ond ni fydd offer eraill "
    "yn ei deall.",
    "ocds.empty-field": "Gadewch y gell yn wag, neu dilëwch y rhes, yn hytrach na'i llenwi â bylchau neu eitem wag.",
    "quality.milestone-met-in-future": "Newidiwch y dyddiad yn y gell hon i'r diwrnod y cynhaliwyd yr adolygiad. Os "
    "nad yw wedi'i gynnal eto, dilëwch ei res nes iddo gael ei gynnal (ar ddalenni'r proffil llawn gallwch yn lle "
    "hynny roi'r statws scheduled a dyddiad dyledus iddo).",
    "ocds.duplicate-release-id": "Rhowch ei ID Datganiad ei hun i bob rhes ar y ddalen releases sydd â'r un ocid "
    "(er enghraifft, ychwanegwch y dyddiad neu rif).",
    "ocds.duplicate-id-in-array": "Rhowch ei id ei hun i bob rhes ar gyfer '{field}' yn y golofn id (er enghraifft "
    "1, 2, 3).",
    "ocds.duplicate-record-ocid": "Rhowch holl ddatganiadau pob proses gontractio o dan un ocid.",
    "ocds.version-missing": "Os yw'r data yn OCDS 1.1, llenwch res version y ddalen Meta â 1.1. Os yw'n OCDS 1.0, "
    "nid oes angen trwsio dim.",
    "ocds.version-unrecognised": "Rhowch 1.1 yn rhes version y ddalen Meta.",
    "ocds.not-packaged": "Llenwch y ddalen Meta: uri, publisher, license, publishedDate a version.",
    "quality.unknown-award-reference": "Gwnewch gell Award ID pob contract yr un fath ag id y dyfarniad y mae'n dod "
    "ohono, a llenwch y dyfarniad hwnnw ar y ddalen awards.",
    "quality.unknown-lot-reference": "Defnyddiwch id un o'r lotiau ar ddalen lotiau'r tendr.",
    "quality.unknown-party-reference": "Ychwanegwch y sefydliad at y ddalen parties gyda'r un id, neu cywirwch yr "
    "id yn y gell hon.",
    "metrics.value-and-measure": "Llenwch y colofnau gwerth (swm ac arian cyfred) ar gyfer arian, fel y pris yr awr, "
    "a'r golofn mesur ar gyfer popeth arall, nid y ddau ar un rhes.",
    "metrics.no-value-or-measure": "Llenwch y ffigur: y colofnau gwerth (swm ac arian cyfred) ar gyfer arian, y "
    "golofn mesur ar gyfer rhifau eraill.",
    "metrics.unit-scheme": "Ysgrifennwch UNCEFACT yng ngholofn cynllun yr uned a'r cod yng ngholofn id yr uned, e.e. "
    "P1 ar gyfer canran, HUR ar gyfer oriau.",
    "metrics.actual-without-period": "Llenwch golofnau dyddiad dechrau a dyddiad gorffen y cyfnod ar bob rhes o "
    "ddalen arsylwadau mesurau'r gweithredu.",
    "metrics.unit-mismatch": "Defnyddiwch yr un cod uned yng ngholofnau'r uned ar gyfer targedau mesur a'i "
    "ffigurau gwirioneddol.",
}

#: messages.SHEET_PACKAGE_FIX in Welsh.
SHEET_PACKAGE_FIX_CY = (
    "Llenwch y ddalen {sheet}, cell {cell} ({field_path}): mae enw'r maes yn mynd yng ngholofn A y rhes honno a'i "
    "werth yng ngholofn B. {missing_hint}"
)

#: Words the engine puts into placeholders, in Welsh. Types follow "yn" (soft mutation: "yn destun", "yn wrthrych").
TYPE_WORDS_CY = {
    "text": "destun",
    "a string": "destun",
    "a number": "rhif",
    "a whole number": "rhif cyfan",
    "a list": "rhestr",
    "an array": "rhestr",
    "an object": "wrthrych",
    "true or false": "wir neu gau",
    "null": "null",
    "something else": "rhywbeth arall",
}
#: What a file holds: "releases" or "records", after "y" and "o'r" (no mutation in the plural).
KINDS_CY = {"releases": "datganiadau", "records": "cofnodion"}
#: The shapes the reader finds (OcdsInput.format), as the report page and ocds.not-packaged name them.
FORMATS_CY = {
    "release package": "pecyn datganiadau",
    "record package": "pecyn cofnodion",
    "single release": "datganiad unigol",
    "single record": "cofnod unigol",
    "array of releases": "rhestr o ddatganiadau",
    "JSON Lines or concatenated JSON": "JSON Lines neu JSON wedi'i gydgadwyno",
}
#: The dates quality.dates-out-of-order compares.
DATE_LABELS_CY = {
    "The award date": "dyddiad y dyfarniad",
    "the award date": "dyddiad y dyfarniad",
    "the start of the tender period": "dechrau cyfnod y tendr",
    "The date the contract was signed": "y dyddiad y llofnodwyd y contract",
}
#: Why a number cannot be read (unreadable_numbers.reason_for).
NUMBER_REASONS_CY = {
    "it is beyond the largest number a computer can hold (about 1.8e308)": (
        "mae'n fwy na'r rhif mwyaf y gall cyfrifiadur ei ddal (tua 1.8e308)"
    ),
    "it has spaces inside it": "mae bylchau y tu mewn iddo",
    "it starts with a zero, which JSON numbers may not (unless the number is 0 or 0.something)": (
        "mae'n dechrau gyda sero, ac ni chaiff rhifau JSON wneud hynny (oni bai mai 0 neu 0.rhywbeth yw'r rhif)"
    ),
}
#: The field fallback when a finding has no path.
THE_DATA_CY = "y data"

_DURATION = re.compile(r"^(\d+(?:\.\d+)?) (second|seconds|minute|minutes)$")
_MORE = re.compile(r" \(and (\d+) more\)$")


def welsh_context(context: dict[str, Any]) -> dict[str, Any]:
    """The finding's context with the engine's own English words put into Welsh; the data's values as they were."""
    welsh = dict(context)
    for key in ("expected", "actual"):
        if isinstance(welsh.get(key), str):
            # "true or false" is one type among others joined by " or " ("a number or true or false").
            words = [word.replace("\0", " or ") for word in
                     welsh[key].replace("true or false", "true\0false").split(" or ")]  # fmt: skip
            if all(word in TYPE_WORDS_CY for word in words):
                welsh[key] = " neu ".join(TYPE_WORDS_CY[word] for word in words)
    if isinstance(welsh.get("kind"), str):
        welsh["kind"] = KINDS_CY.get(welsh["kind"], welsh["kind"])
    if isinstance(welsh.get("format"), str):
        welsh["format"] = FORMATS_CY.get(welsh["format"], welsh["format"])
    for key in ("later_label", "earlier_label"):
        if isinstance(welsh.get(key), str):
            welsh[key] = DATE_LABELS_CY.get(welsh[key], welsh[key])
    if isinstance(welsh.get("reason"), str):
        welsh["reason"] = NUMBER_REASONS_CY.get(welsh["reason"], welsh["reason"])
    if isinstance(welsh.get("limit"), str) and (duration := _DURATION.match(welsh["limit"])):
        amount, unit = duration.groups()
        welsh["limit"] = f"{amount} {'eiliad' if unit.startswith('second') else 'munud'}"
    if isinstance(welsh.get("allowed"), str):
        welsh["allowed"] = _MORE.sub(r" (a \1 arall)", welsh["allowed"])
    return welsh


def parent_label_cy(parts: list[str]) -> str:
    """Where a missing field belongs, after "gan" and "at" (soft mutation: "bob datganiad")."""
    if len(parts) <= 1:
        return "bob datganiad" if parts == ["releases"] else "y pecyn"
    parent = parts[-2] if parts[-1] else parts[-1]
    return {"releases": "bob datganiad", "records": "bob cofnod"}.get(parent, f"bob '{parent}'")
