"""The SVG pictures a page draws, read as XML: to ask which bars, marks, nodes and edges it holds."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def pictures(html: str, cls: str) -> list[ET.Element]:
    """Every `<svg class="{cls}">` of the page, in order."""
    return [ET.fromstring(s) for s in re.findall(rf'<svg class="{cls}".*?</svg>', html, re.S)]


def picture(html: str, cls: str) -> ET.Element:
    (found,) = pictures(html, cls)
    return found


def all_of(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    """Descendants of an SVG tag (`g`, `a`, `text`…), those with class `cls` if given."""
    return [e for e in root.iter(SVG + tag) if cls is None or cls in e.get("class", "").split()]


def text(element: ET.Element) -> str:
    return "".join(element.itertext()).strip()


def title(element: ET.Element) -> str:
    found = element.find(SVG + "title")
    return text(found) if found is not None else ""
