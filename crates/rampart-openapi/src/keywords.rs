//! JSON Schema keywords that hold subschemas: what a walk over a schema (inlining `$ref`s here,
//! rewriting OpenAPI 3.0 for a validator in rampart-validate) must descend into.

/// Schema keywords whose value is one schema.
pub const SCHEMA_VALUED: [&str; 11] = [
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contentSchema",
];
/// Schema keywords whose value is an array of schemas.
pub const SCHEMA_ARRAYS: [&str; 4] = ["allOf", "anyOf", "oneOf", "prefixItems"];
/// Schema keywords whose value maps names to schemas.
pub const SCHEMA_MAPS: [&str; 5] =
    ["properties", "patternProperties", "dependentSchemas", "$defs", "definitions"];
