//! Error pointers into the upgraded document, mapped back to the file the user wrote. Every
//! stage after `upgrade` reports through [`original_pointer`], so an error names a node of the
//! user's file whichever stage found it.

/// Whether a loaded document is Swagger 2.0 (so `upgrade` converts it and pointers into the
/// result must be mapped back): it says `swagger` and not `openapi`.
pub fn is_swagger2(doc: &serde_json::Value) -> bool {
    doc.get("swagger").is_some() && doc.get("openapi").is_none()
}

/// Maps a pointer into the upgraded (3.0) document back to the Swagger 2.0 file it came from
/// (unchanged for an OpenAPI 3.0 file).
pub fn original_pointer(pointer: &str, swagger2: bool) -> String {
    if !swagger2 {
        return pointer.to_string();
    }
    let mut p = pointer.to_string();
    for (from, to) in [
        ("/components/schemas/", "/definitions/"),
        ("/components/parameters/", "/parameters/"),
        ("/components/responses/", "/responses/"),
        ("/components/securitySchemes/", "/securityDefinitions/"),
    ] {
        if let Some(rest) = p.strip_prefix(from) {
            p = format!("{to}{rest}");
        }
    }
    // responses/200/content/<mime>/schema → responses/200/schema; parameters/N/schema → parameters/N
    if let Some(i) = p.find("/content/") {
        if let Some(j) = p[i + 9..].find('/') {
            p = format!("{}{}", &p[..i], &p[i + 9 + j..]);
        } else {
            p.truncate(i);
        }
    }
    if let Some(i) = p.find("/schema")
        && p[..i].contains("/parameters/")
    {
        p = format!("{}{}", &p[..i], &p[i + 7..]);
    }
    p
}

/// Whether a mapped pointer still names a node that only the upgraded document has (its
/// `components`, a `requestBody`, a `content` map, `servers`): the error then says so.
pub fn only_in_upgraded(pointer: &str) -> bool {
    ["/components/", "/requestBody", "/content/", "/servers"]
        .iter()
        .any(|part| pointer.contains(part))
}

/// The note an error gets when its pointer is into the upgraded document, which the author never saw.
pub const UPGRADED_NOTE: &str = " (the pointer is into the document as upgraded to OpenAPI 3.0)";

#[cfg(test)]
mod tests {
    use super::original_pointer;

    #[test]
    fn pointers_map_back_to_swagger_2() {
        assert_eq!(
            original_pointer("/components/schemas/Foo/properties/bar", true),
            "/definitions/Foo/properties/bar"
        );
        assert_eq!(
            original_pointer(
                "/paths/~1a/get/responses/200/content/application~1json/schema/items",
                true
            ),
            "/paths/~1a/get/responses/200/schema/items"
        );
        assert_eq!(
            original_pointer("/paths/~1a/get/parameters/2/schema", true),
            "/paths/~1a/get/parameters/2"
        );
        assert_eq!(
            original_pointer("/components/schemas/Foo", false),
            "/components/schemas/Foo"
        );
    }
}
