"""Alignment with Wikidata: compare our twinnings with P190, write QuickStatements, propose QIDs.

Every function here reads our graph through the store interface and Wikidata through
:class:`~twingraph.wikidata.client.WikidataClient`, which talks to one configured endpoint only.
"""
