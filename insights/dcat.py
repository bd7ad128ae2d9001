"""The DCAT catalogue of the published datasets (W3C DCAT, the DCAT-AP profile CKAN's ckanext-dcat reads), in
JSON-LD and RDF/XML, built from one list of nodes so both serialisations state the same triples.

URIs: the catalogue is `/du-lieu-mo/catalog.rdf` (and `.jsonld`), a dataset its page `/du-lieu-mo/<name>/`,
a distribution its download URL, a publisher `/du-lieu-mo/to-chuc/<organization name>/`. The RDF/XML is
written with the standard library's ElementTree (element by element, text escaped by it; nothing is parsed).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from .choices_open import FREQUENCY_URIS, LICENCE_URLS, DatasetFrequency, Licence
from .models import Dataset

NAMESPACES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
LANGUAGE = "vi"


@dataclass(frozen=True)
class Uri:
    value: str


@dataclass(frozen=True)
class Literal:
    value: str
    lang: str | None = None
    datatype: str | None = None  # a prefixed name ("xsd:dateTime")


@dataclass
class Node:
    uri: str
    type: str  # prefixed name
    props: list[tuple[str, Uri | Literal]] = field(default_factory=list)

    def add(self, predicate: str, value: Uri | Literal | None) -> None:
        if value is not None and (not isinstance(value, Literal) or value.value != ""):
            self.props.append((predicate, value))


def _vi(text: str) -> Literal:
    return Literal(text, lang=LANGUAGE)


def _when(value: Any) -> Literal:
    return Literal(timezone.localtime(value).isoformat(timespec="seconds"), datatype="xsd:dateTime")


def nodes(request: HttpRequest, datasets: list[Dataset]) -> list[Node]:
    from .ckan import org_name
    from .opendata import resources_of

    base = request.build_absolute_uri("/").rstrip("/")
    catalog = Node(base + reverse("opendata:catalog", args=["rdf"]), "dcat:Catalog")
    catalog.add("dct:title", _vi("Dữ liệu mở của tỉnh"))
    catalog.add("dct:description", _vi("Các bộ dữ liệu mở do Ủy ban nhân dân tỉnh và các cơ quan công bố."))
    catalog.add("dct:language", Uri("http://publications.europa.eu/resource/authority/language/VIE"))
    catalog.add("foaf:homepage", Uri(base + reverse("opendata:index")))
    if datasets:
        catalog.add("dct:modified", _when(max(d.modified_at for d in datasets)))
    out = [catalog]
    publishers: dict[str, Node] = {}
    for d in datasets:
        page = base + reverse("opendata:detail", args=[d.name])
        node = Node(page, "dcat:Dataset")
        catalog.add("dcat:dataset", Uri(page))
        node.add("dct:identifier", Literal(d.uuid))
        node.add("dct:title", _vi(d.title))
        node.add("dct:description", _vi(d.description))
        for tag in d.tag_list:
            node.add("dcat:keyword", _vi(tag))
        node.add("dct:issued", _when(d.created_at))
        node.add("dct:modified", _when(d.modified_at))
        node.add("dcat:landingPage", Uri(page))
        node.add("dct:accrualPeriodicity", Uri(FREQUENCY_URIS[DatasetFrequency(d.frequency)]))
        org = base + reverse("opendata:organization", args=[org_name(d.publisher)])
        node.add("dct:publisher", Uri(org))
        if org not in publishers:
            publisher = Node(org, "foaf:Organization")
            publisher.add("foaf:name", _vi(d.publisher.name))
            publishers[org] = publisher
        licence = LICENCE_URLS[Licence(d.licence)]
        out.append(node)
        for r in resources_of(d):
            url = base + reverse("opendata:download", args=[d.name, r.fmt])
            node.add("dcat:distribution", Uri(url))
            dist = Node(url, "dcat:Distribution")
            dist.add("dct:identifier", Literal(r.id))
            dist.add("dct:title", _vi(f"{d.title} ({r.label})"))
            dist.add("dcat:accessURL", Uri(url))
            dist.add("dcat:downloadURL", Uri(url))
            dist.add("dct:format", Literal(r.label))
            dist.add("dcat:mediaType", Literal(r.media_type))
            dist.add("dct:license", Uri(licence))
            dist.add("dct:modified", _when(d.modified_at))
            out.append(dist)
    out.extend(publishers.values())
    return out


def to_jsonld(graph: list[Node]) -> bytes:
    context: dict[str, Any] = {prefix: uri for prefix, uri in NAMESPACES.items() if prefix != "rdf"}
    items = []
    for node in graph:
        item: dict[str, Any] = {"@id": node.uri, "@type": node.type}
        for predicate, value in node.props:
            if isinstance(value, Uri):
                entry: dict[str, Any] = {"@id": value.value}
            elif value.datatype:
                entry = {"@value": value.value, "@type": value.datatype}
            elif value.lang:
                entry = {"@value": value.value, "@language": value.lang}
            else:
                entry = {"@value": value.value}
            item.setdefault(predicate, []).append(entry)
        items.append(item)
    return json.dumps({"@context": context, "@graph": items}, ensure_ascii=False, indent=1).encode("utf-8")


def _qname(prefixed: str) -> str:
    prefix, local = prefixed.split(":", 1)
    return f"{{{NAMESPACES[prefix]}}}{local}"


def to_rdfxml(graph: list[Node]) -> bytes:
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    root = ET.Element(_qname("rdf:RDF"))
    about = _qname("rdf:about")
    resource = _qname("rdf:resource")
    datatype = _qname("rdf:datatype")
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for node in graph:
        element = ET.SubElement(root, _qname(node.type), {about: node.uri})
        for predicate, value in node.props:
            if isinstance(value, Uri):
                ET.SubElement(element, _qname(predicate), {resource: value.value})
                continue
            attrs = {}
            if value.datatype:
                prefix, local = value.datatype.split(":", 1)
                attrs[datatype] = NAMESPACES[prefix] + local
            elif value.lang:
                attrs[lang] = value.lang
            child = ET.SubElement(element, _qname(predicate), attrs)
            child.text = value.value
    ET.indent(root)
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body
