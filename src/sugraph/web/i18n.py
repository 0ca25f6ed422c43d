"""French and English for the pages: the reader's language and the words around the data.

The data carries its own fr/en labels; this module holds only the interface's words and labels for
the few reused vocabulary terms (SKOS, DCTERMS, PROV…) that the ontology does not label.
"""

from __future__ import annotations

from collections.abc import Callable

from ..terms import in_language

LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"

STRINGS: dict[str, tuple[str, str]] = {
    # layout
    "site.name": ("sugraph", "sugraph"),
    "nav.home": ("Home", "Accueil"),
    "nav.browse": ("Browse", "Parcourir"),
    "nav.search": ("Search", "Rechercher"),
    "nav.workbench": ("Query workbench", "Atelier de requêtes"),
    "nav.queries": ("Named questions", "Questions nommées"),
    "nav.api": ("API docs", "Doc. de l'API"),
    "nav.skip": ("Skip to content", "Aller au contenu"),
    "nav.language": ("Language", "Langue"),
    "nav.main": ("Main", "Principale"),
    "footer.version": ("Data version", "Version des données"),
    "footer.license": ("Data and ontology: CC BY 4.0. Code: MIT.", "Données et ontologie : CC BY 4.0. Code : MIT."),
    # home
    "home.title": (
        "The EU Security Union knowledge graph",
        "Le graphe de connaissances de l'union de la sécurité de l'UE",
    ),
    "home.intro": (
        "sugraph links the threats the European Union faces to the measures, instruments, actors and "
        "strategies that answer them. Every fact is traceable to a verbatim quote from a European "
        "Commission press release.",
        "sugraph relie les menaces auxquelles l'Union européenne fait face aux mesures, instruments, "
        "acteurs et stratégies qui y répondent. Chaque fait renvoie à une citation exacte d'un "
        "communiqué de presse de la Commission européenne.",
    ),
    "home.counts": ("What the graph holds", "Contenu du graphe"),
    "home.sources": ("Sources", "Sources"),
    "home.use": ("Use the graph", "Utiliser le graphe"),
    "home.use.workbench": (
        "Ask your own question in SPARQL, or start from an example.",
        "Posez votre propre question en SPARQL, ou partez d'un exemple.",
    ),
    "home.use.queries": (
        "Ready-made questions with their answers, as JSON, CSV or TSV.",
        "Des questions prêtes à l'emploi et leurs réponses, en JSON, CSV ou TSV.",
    ),
    "home.use.dumps": ("Download the whole graph", "Télécharger tout le graphe"),
    "home.use.dumps.text": (
        "Every triple, asserted and inferred, in the usual RDF formats.",
        "Tous les triplets, déclarés et inférés, dans les formats RDF usuels.",
    ),
    "home.use.api": ("The HTTP API, described in OpenAPI.", "L'API HTTP, décrite en OpenAPI."),
    "home.source.original": ("{id} on the Commission's website", "{id} sur le site de la Commission"),
    "home.version": ("Latest version", "Dernière version"),
    # browse
    "browse.title": ("Browse", "Parcourir"),
    "browse.empty": ("Nothing here yet.", "Rien pour l'instant."),
    "browse.filter": ("Filter", "Filtrer"),
    "browse.reset": ("Reset", "Réinitialiser"),
    "browse.measures.addressing": ("measures", "mesures"),
    "filter.threat": ("Threat (or a narrower one)", "Menace (ou une menace plus spécifique)"),
    "filter.actor": ("Actor involved", "Acteur impliqué"),
    "filter.strategy": ("Strategy", "Stratégie"),
    "filter.priority": ("Strategic priority", "Priorité stratégique"),
    "filter.source": ("Source", "Source"),
    "filter.status": ("Status", "Statut"),
    "filter.unknown": ("Unknown value for “{name}”: {value}", "Valeur inconnue pour « {name} » : {value}"),
    "col.measure": ("Measure", "Mesure"),
    "col.status": ("Status", "Statut"),
    "col.threats": ("Threats", "Menaces"),
    # kinds (browse pages)
    "kind.threat": ("Threats", "Menaces"),
    "kind.measure": ("Measures", "Mesures"),
    "kind.instrument": ("Instruments", "Instruments"),
    "kind.actor": ("Actors", "Acteurs"),
    "kind.strategy": ("Strategies", "Stratégies"),
    "kind.priority": ("Strategic priorities", "Priorités stratégiques"),
    "kind.person": ("People", "Personnes"),
    "kind.event": ("Events", "Événements"),
    "kind.document": ("Documents", "Documents"),
    "kind.statement": ("Statements", "Déclarations"),
    # entity
    "entity.links": ("Facts", "Faits"),
    "entity.incoming": ("Linked from", "Cité par"),
    "entity.evidence": ("Evidence", "Sources"),
    "entity.evidence.none": ("No quote supports this entity.", "Aucune citation n'étaye cette entité."),
    "entity.quote.from": ("from", "extrait de"),
    "entity.neighbourhood": ("Neighbourhood", "Voisinage"),
    "entity.neighbourhood.text": (
        "Entities one or two links away; select one to open it.",
        "Entités à un ou deux liens ; sélectionnez-en une pour l'ouvrir.",
    ),
    "entity.neighbourhood.more": ("{n} more not shown", "{n} autres non affichées"),
    "entity.download": ("Download", "Télécharger"),
    "entity.iri": ("Identifier", "Identifiant"),
    "entity.inferred": ("inferred", "inféré"),
    "entity.inferred.title": (
        "Added by the reasoner, not stated in the data",
        "Ajouté par le raisonneur, non déclaré dans les données",
    ),
    "entity.notfound": ("Not found", "Introuvable"),
    "entity.notfound.text": ("The graph has nothing about {iri}.", "Le graphe ne contient rien sur {iri}."),
    # full-text search (issue 14 item 5)
    "search.title": ("Search", "Rechercher"),
    "search.label": (
        "Words or the start of words from a name, description or quote, in French or English",
        "Mots ou débuts de mots d'un nom, d'une description ou d'une citation, en français ou en anglais",
    ),
    "search.button": ("Search", "Rechercher"),
    "search.results": ("{n} result(s) for “{q}”", "{n} résultat(s) pour « {q} »"),
    "search.first": ("the first {n} shown", "les {n} premiers affichés"),
    "search.none": ("Nothing matches “{q}”.", "Rien ne correspond à « {q} »."),
    "search.matched": ("matched “{name}”", "trouvé par « {name} »"),
    "search.quote": ("In the source:", "Dans la source :"),
    "search.json": ("These results as JSON", "Ces résultats en JSON"),
    # entity → questions, cite this (entity pages, named-query results), the /sparql page (branch entity)
    "entity.questions": ("Questions about it", "Questions à son sujet"),
    "entity.questions.none": (
        "No named question takes an entity of this kind.",
        "Aucune question nommée ne porte sur une entité de ce type.",
    ),
    "entity.workbench": (
        "Open its links in the query workbench",
        "Ouvrir ses liens dans l'atelier de requêtes",
    ),
    "cite.title": ("Cite this", "Citer"),
    "cite.intro": (
        "As plain text, BibTeX or CSL-JSON (Zotero, citeproc), with the data version and today's date.",
        "En texte, BibTeX ou CSL-JSON (Zotero, citeproc), avec la version des données et la date du jour.",
    ),
    "cite.download": ("Download", "Télécharger"),
    "cite.plain": ("Plain text", "Texte brut"),
    "cite.text": (
        "{title}. In: sugraph, the EU Security Union knowledge graph, data version {version} ({released}). "
        "{url} (accessed {accessed}).",
        "{title}. Dans : sugraph, le graphe de connaissances de l'union de la sécurité de l'UE, version des "
        "données {version} ({released}). {url} (consulté le {accessed}).",
    ),
    "cite.source": ("Source: {source}", "Source : {source}"),
    "cite.quoted": ("“{text}”", "« {text} »"),
    "cite.more": (
        "Other source documents of the dataset ({count}): {url}",
        "Autres documents sources du jeu de données ({count}) : {url}",
    ),
    "cite.more_quoted": (
        "Other source documents quoted for it ({count}): {url}",
        "Autres documents sources cités à son sujet ({count}) : {url}",
    ),
    "cite.dataset": (
        "sugraph, the EU Security Union knowledge graph",
        "sugraph, le graphe de connaissances de l'union de la sécurité de l'UE",
    ),
    "sparql.title": ("SPARQL endpoint", "Point d'accès SPARQL"),
    "sparql.intro": (
        "A read-only endpoint over the Security Union knowledge graph (asserted and inferred triples), at",
        "Un point d'accès en lecture seule au graphe de connaissances de l'union de la sécurité (triplets énoncés "
        "et inférés), à l'adresse",
    ),
    "sparql.protocol": ("SPARQL 1.1 Protocol", "protocole SPARQL 1.1"),
    "sparql.workbench": (
        "the same queries with a table of labelled links, the named questions and downloads.",
        "les mêmes requêtes, avec un tableau de liens libellés, les questions nommées et les téléchargements.",
    ),
    "sparql.description": ("This endpoint's service description", "Description de ce service"),
    "sparql.format": ("Results format", "Format des résultats"),
    "sparql.prefixes": ("Prefixes you may use without declaring them", "Préfixes utilisables sans les déclarer"),
    "search.bykind": ("Results by kind", "Résultats par type"),
    "search.allkinds": ("All", "Tous"),
    "search.kind.unknown": (
        "Unknown kind “{kind}”; the kinds are: {kinds}",
        "Type inconnu « {kind} » ; les types sont : {kinds}",
    ),
    "search.invalid": ("This search cannot be run: {reason}", "Cette recherche ne peut pas être faite : {reason}"),
    # search off the start-up path (searchfast): the index of a remote backend is built after the start
    "search.unavailable": (
        "Search is not ready yet: its index is being built. Try again in a few seconds.",
        "La recherche n'est pas encore prête : son index est en cours de construction. Réessayez dans quelques "
        "secondes.",
    ),
    "kind.post": ("Posts", "Postes"),
    "kind.role": ("Roles", "Rôles"),
    "kind.term": ("Terms of office", "Mandats"),
    "kind.status": ("Statuses", "Statuts"),
    "kind.scheme": ("Schemes", "Schémas"),
    # workbench
    "wb.title": ("Query workbench", "Atelier de requêtes"),
    "wb.intro": (
        "Write a SPARQL query, or open one of the named questions below and adapt it.",
        "Écrivez une requête SPARQL, ou ouvrez l'une des questions nommées ci-dessous et adaptez-la.",
    ),
    "wb.query": ("SPARQL query", "Requête SPARQL"),
    "wb.run": ("Run", "Exécuter"),
    "wb.run.hint": ("Ctrl+Enter runs the query.", "Ctrl+Entrée exécute la requête."),
    "wb.examples": ("Named questions", "Questions nommées"),
    "wb.params": ("Parameters", "Paramètres"),
    "wb.required": ("required", "obligatoire"),
    "wb.choose": ("— choose —", "— choisir —"),
    "wb.results": ("Results", "Résultats"),
    "wb.rows": ("{n} row(s) in {ms} ms", "{n} ligne(s) en {ms} ms"),
    "wb.boolean": ("Answer: {value} ({ms} ms)", "Réponse : {value} ({ms} ms)"),
    "wb.triples": ("{n} triple(s) in {ms} ms", "{n} triplet(s) en {ms} ms"),
    "wb.error": ("The query cannot run", "La requête ne peut pas être exécutée"),
    "wb.download": ("Download the results", "Télécharger les résultats"),
    "wb.share": ("Shareable link to this query", "Lien partageable vers cette requête"),
    "wb.sparql": ("SPARQL of this question", "SPARQL de cette question"),
    "wb.unknown": ("There is no named question “{name}”.", "Il n'y a pas de question nommée « {name} »."),
    "wb.any": ("— any —", "— toutes —"),
    "error.title": ("Error", "Erreur"),
    # result views (charts, graph view) and the timeline (web/charts.py, web/pages/timeline.py)
    "views.label": ("Views of the result", "Vues du résultat"),
    "views.table": ("Table", "Tableau"),
    "views.chart": ("Chart", "Graphique"),
    "views.graph": ("Graph", "Graphe"),
    "chart.heading": ("Chart", "Graphique"),
    "chart.title": ("{y} by {x}", "{y} par {x}"),
    "chart.x": ("Labels", "Libellés"),
    "chart.y": ("Numbers", "Nombres"),
    "chart.currency": ("Currency", "Devise"),
    "chart.nocurrency": ("none", "aucune"),
    "chart.apply": ("Draw", "Dessiner"),
    "chart.used": ("Bars: {y}, labelled by {x}", "Barres : {y}, libellées par {x}"),
    "chart.per": ("(one chart per {currency})", "(un graphique par {currency})"),
    "chart.csv": ("The same data as CSV", "Les mêmes données en CSV"),
    "chart.unnumbered": ("Rows without {y}, not drawn: {n}.", "Lignes sans {y}, non dessinées : {n}."),
    "chart.cut": (
        "Rows left out of this chart (they are in the table and the CSV): {n}.",
        "Lignes omises de ce graphique (elles figurent dans le tableau et le CSV) : {n}.",
    ),
    "graphview.heading": ("The result as a graph", "Le résultat sous forme de graphe"),
    "graphview.drawn": (
        "{nodes} nodes and {links} of the {total} links between resources are drawn.",
        "{nodes} nœuds et {links} des {total} liens entre ressources sont dessinés.",
    ),
    "graphview.left": (
        "Too big to draw whole: {nodes} nodes and {links} links are left out (see the table).",
        "Trop grand pour être dessiné en entier : {nodes} nœuds et {links} liens sont omis (voir le tableau).",
    ),
    "graphview.literals": (
        "{n} triples whose value is a literal are in the table only.",
        "{n} triplets dont la valeur est un littéral figurent seulement dans le tableau.",
    ),
    "home.use.timeline": (
        "Deadlines, events, documents and strategy periods on one time axis.",
        "Échéances, événements, documents et périodes des stratégies sur un même axe du temps.",
    ),
    "timeline.title": ("Timeline", "Chronologie"),
    "timeline.any": ("any", "tous"),
    "timeline.apply": ("Apply", "Appliquer"),
    "timeline.intro": (
        "Deadlines of measures, events, the dates of documents and the periods strategies cover, as "
        "precisely as the sources give them: a day is a dot, a month or a year a bar across it.",
        "Les échéances des mesures, les événements, les dates des documents et les périodes couvertes par "
        "les stratégies, aussi précises que les sources : un jour est un point, un mois ou une année une "
        "barre qui le couvre.",
    ),
    "timeline.found": ("Dates shown: {n}", "Dates affichées : {n}"),
    "timeline.kind.deadline": ("Deadline", "Échéance"),
    "timeline.kind.event": ("Event", "Événement"),
    "timeline.kind.issued": ("Issued or presented", "Publication ou présentation"),
    "timeline.kind.period": ("Strategy period", "Période d'une stratégie"),
    "timeline.mark": ("{label} — {kind}: {date}", "{label} — {kind} : {date}"),
    "timeline.span": ("A month, a year or a period", "Un mois, une année ou une période"),
    "timeline.table": ("The same dates as a table", "Les mêmes dates sous forme de tableau"),
    "timeline.col.date": ("Date", "Date"),
    "timeline.col.end": ("Until", "Jusqu'à"),
    "timeline.col.kind": ("What", "Quoi"),
    "timeline.col.what": ("Of", "De"),
    # tables and facets (web/tables.py, _table.html; browse lists; the named questions' pages)
    "table.range": ("Rows {first}–{last} of {total}", "Lignes {first} à {last} sur {total}"),
    "table.range.capped": (
        "Rows {first}–{last} of the first {total} (the row cap)",
        "Lignes {first} à {last} sur les {total} premières (le plafond de lignes)",
    ),
    "table.none": ("No rows.", "Aucune ligne."),
    "table.past": ("No rows this far: the list has {total}.", "Aucune ligne si loin : la liste en compte {total}."),
    "table.sort": ("Sort by this column", "Trier par cette colonne"),
    "table.sort.desc": ("Sort by this column, descending", "Trier par cette colonne, en ordre décroissant"),
    "table.pages": ("Pages", "Pages"),
    "table.previous": ("Previous", "Précédentes"),
    "table.next": ("Next", "Suivantes"),
    "table.download": ("Download these rows:", "Télécharger ces lignes :"),
    "facet.rule": (
        "Values of one filter add up (or); filters narrow each other down (and).",
        "Les valeurs d'un même filtre s'additionnent (ou) ; les filtres se restreignent entre eux (et).",
    ),
    "facet.remove": ("Remove this filter value", "Retirer cette valeur du filtre"),
    "filter.type": ("Type", "Type"),
    "col.name": ("Name", "Nom"),
    "col.type": ("Type", "Type"),
    "col.description": ("Description", "Description"),
    "queries.intro": (
        "Questions the graph answers, each at its own URL; JSON, CSV and TSV for scripts.",
        "Des questions auxquelles le graphe répond, chacune à son URL ; JSON, CSV et TSV pour les scripts.",
    ),
    "queries.params": ("Parameters", "Paramètres"),
    "queries.required": ("required", "obligatoire"),
    "queries.answer": ("Answer", "Réponse"),
    "queries.workbench": ("Open in the workbench", "Ouvrir dans l'atelier"),
    "queries.all": ("All named questions", "Toutes les questions nommées"),
    "queries.yes": ("Yes", "Oui"),
    "queries.no": ("No", "Non"),
    # the query editor (static/workbench.js, vendor/editor.bundle.js) and the code for a query (_code.html)
    "editor.history": ("Recent queries in this browser", "Requêtes récentes dans ce navigateur"),
    "editor.clear": ("Forget them", "Les oublier"),
    "code.title": ("Code for this query", "Code pour cette requête"),
    "code.copy": ("Copy", "Copier"),
    "code.copied": ("Copied", "Copié"),
    # long lists at 100 times the data (pages100): facets' other values, an entity's many links,
    # the timeline's shared dates
    "facet.all": ("All values ({n} more)", "Toutes les valeurs ({n} de plus)"),
    "facet.few": ("The most frequent values only", "Seulement les valeurs les plus fréquentes"),
    "entity.more": ("{shown} of {n} shown: all of them in the workbench", "{shown} sur {n} : toutes dans l'atelier"),
    "timeline.many": ("{n} on this date", "{n} à cette date"),
    "timeline.grouped": (
        "Too many to draw one by one: the dates of one kind on one day (month, year) are drawn as one,"
        " which leads to them.",
        "Trop pour les dessiner une à une : les dates d'un même type le même jour (mois, année) sont"
        " dessinées en une seule, qui y mène.",
    ),
    "timeline.on_date": ("On {date} only", "Le {date} seulement"),
    "timeline.all_dates": ("All dates", "Toutes les dates"),
    "timeline.date.invalid": (
        "date={date}: give a day, a month or a year as the data writes it (2020-07-24, 2020-07, 2020)",
        "date={date} : donnez un jour, un mois ou une année comme les données l'écrivent (2020-07-24, 2020-07, 2020)",
    ),
}

# Labels for reused vocabulary terms the ontology does not label itself.
TERM_LABELS: dict[str, tuple[str, str]] = {
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": ("type", "type"),
    "http://www.w3.org/2000/01/rdf-schema#label": ("label", "libellé"),
    "http://www.w3.org/2000/01/rdf-schema#seeAlso": ("see also", "voir aussi"),
    "http://www.w3.org/2004/02/skos/core#altLabel": ("also called", "autre nom"),
    "http://www.w3.org/2004/02/skos/core#broader": ("broader threat", "menace plus générale"),
    "http://www.w3.org/2004/02/skos/core#narrower": ("narrower threat", "menace plus spécifique"),
    "http://www.w3.org/2004/02/skos/core#broaderTransitive": ("within", "relève de"),
    "http://www.w3.org/2004/02/skos/core#narrowerTransitive": ("includes", "comprend"),
    "http://www.w3.org/2004/02/skos/core#inScheme": ("in scheme", "dans le schéma"),
    "http://www.w3.org/2004/02/skos/core#topConceptOf": ("top concept of", "concept de tête de"),
    "http://www.w3.org/2004/02/skos/core#hasTopConcept": ("top concept", "concept de tête"),
    "http://www.w3.org/2004/02/skos/core#definition": ("definition", "définition"),
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": ("Concept scheme", "Schéma de concepts"),
    "http://purl.org/dc/terms/description": ("description", "description"),
    "http://purl.org/dc/terms/title": ("title", "titre"),
    "http://purl.org/dc/terms/identifier": ("identifier", "identifiant"),
    "http://purl.org/dc/terms/issued": ("issued", "publié le"),
    "http://purl.org/dc/terms/date": ("date", "date"),
    "http://purl.org/dc/terms/language": ("language", "langue"),
    "http://purl.org/dc/terms/publisher": ("publisher", "éditeur"),
    "http://purl.org/dc/terms/source": ("source", "source"),
    "http://purl.org/dc/terms/subject": ("subject", "sujet"),
    "http://purl.org/dc/terms/isPartOf": ("part of", "fait partie de"),
    "http://purl.org/dc/terms/hasPart": ("has part", "comprend"),
    "http://purl.org/dc/terms/creator": ("creator", "auteur"),
    "http://xmlns.com/foaf/0.1/page": ("web page", "page web"),
    "http://xmlns.com/foaf/0.1/name": ("name", "nom"),
    "http://xmlns.com/foaf/0.1/Person": ("Person", "Personne"),
    "http://xmlns.com/foaf/0.1/Document": ("Document", "Document"),
    "http://www.w3.org/ns/prov#wasDerivedFrom": ("derived from", "tiré de"),
    "http://www.w3.org/ns/prov#wasAttributedTo": ("said by", "déclaré par"),
    "http://www.w3.org/ns/prov#wasInfluencedBy": ("influenced by", "influencé par"),
    "http://www.w3.org/ns/prov#specializationOf": ("specialisation of", "spécialisation de"),
    "http://www.w3.org/ns/prov#value": ("value", "valeur"),
    "http://www.w3.org/ns/prov#Derivation": ("Derivation", "Dérivation"),
    "http://www.w3.org/ns/org#subOrganizationOf": ("part of", "fait partie de"),
    "http://www.w3.org/ns/org#hasSubOrganization": ("has unit", "comprend l'unité"),
    "http://www.w3.org/ns/org#holds": ("holds post", "occupe le poste"),
    "http://www.w3.org/ns/org#heldBy": ("held by", "occupé par"),
    "http://www.w3.org/ns/org#postIn": ("post in", "poste au sein de"),
    "http://www.w3.org/ns/org#hasPost": ("has post", "a pour poste"),
    "http://www.w3.org/ns/org#headOf": ("head of", "dirige"),
    "http://www.w3.org/ns/org#Post": ("Post", "Poste"),
    "https://schema.org/value": ("amount", "montant"),
    "https://schema.org/minValue": ("at least", "au moins"),
    "https://schema.org/maxValue": ("at most", "au plus"),
    "https://schema.org/currency": ("currency", "devise"),
    "https://schema.org/MonetaryAmount": ("Amount of money", "Montant"),
}


def interface_text(pair: tuple[str, str], lang: str) -> str:
    """One of the interface's (en, fr) texts, chosen as the data's are."""
    return in_language(dict(zip(LANGUAGES, pair, strict=True)), lang)


def translator(lang: str) -> Callable[..., str]:
    """`_("key", n=3)` for templates: the string in `lang`, formatted with the keyword arguments."""

    def _(key: str, **values: object) -> str:
        text = interface_text(STRINGS[key], lang)
        return text.format(**values) if values else text

    return _


def parse_accept_language(header: str) -> list[str]:
    """Primary language tags of an Accept-Language header, by decreasing preference."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def choose_language(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The reader's language: an explicit `?lang=`, else the remembered choice, else the browser's."""
    for explicit in (query, cookie):
        if explicit in LANGUAGES:
            return explicit
    for tag in parse_accept_language(accept_language or ""):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE


MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
}
XSD = "http://www.w3.org/2001/XMLSchema#"


def format_date(value: str, datatype: str, lang: str) -> str:
    """29 June 2017 / 29 juin 2017 for xsd:date, October 2017 for xsd:gYearMonth; else as written."""
    months = MONTHS.get(lang, MONTHS["en"])
    try:
        if datatype == XSD + "date":
            year, month, day = value[:10].split("-")
            return f"{int(day)} {months[int(month) - 1]} {year}"
        if datatype == XSD + "gYearMonth":
            year, month = value[:7].split("-")
            return f"{months[int(month) - 1]} {year}"
    except (ValueError, IndexError):
        pass
    return value


def format_number(value: str, lang: str) -> str:
    """Thousands separated as each language writes them: 10,800,000 / 10 800 000."""
    try:
        number = float(value)
    except ValueError:
        return value
    text = f"{number:,.0f}" if number == int(number) else f"{number:,.2f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang == "fr" else text


def format_literal(value: str, datatype: str, lang: str) -> str:
    """A typed literal as a reader expects it in their language."""
    if datatype in (XSD + "date", XSD + "gYearMonth"):
        return format_date(value, datatype, lang)
    if datatype in (XSD + "decimal", XSD + "double", XSD + "float") or (
        datatype.startswith(XSD) and datatype.endswith(("Integer", "integer", "int", "long"))
    ):
        return format_number(value, lang)
    return value
