"""The one XML writer of every report (diff/check JUnit, fuzz/verify/traffic JUnit): indented,
UTF-8, with the declaration. Text put into elements goes through ``_inert.xml_text`` first."""

from __future__ import annotations

import xml.etree.ElementTree as ET


def xml_document(root: ET.Element) -> str:
    """``root`` as an indented XML document ending with a newline."""
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
