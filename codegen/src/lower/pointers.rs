//! Error pointers into the upgraded document, mapped back to the file the user wrote.

/// Maps a pointer into the upgraded (3.0) document back to the Swagger 2.0 file it came from.
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
