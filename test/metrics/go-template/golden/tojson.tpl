{{ toJson .v }}
{{ toRawJson .v }}
{{ toJson .v.html }}|{{ toJson nil }}|{{ toJson "s" }}|{{ toJson 3 }}|{{ toJson 2.5 }}|{{ toJson (list) }}|{{ toJson (dict) }}|{{ toJson (rest (list)) }}
{{ mustToJson .v.nums }}
{{ (fromJson "{\"a\":[1,2.5,{\"b\":null}],\"c\":\"x\"}").a }} {{ fromJson "not json" }} {{ typeOf (fromJson "12") }}