//! `src/models.rs`: one struct per schema and one forward-compatible enum per enumeration.

use super::{doc, ident, ty};
use crate::ir::{Api, EnumType, Faker, Field, Model, TypeRef, Union};
use proc_macro2::TokenStream;
use quote::quote;

pub(super) fn models_rs(api: &Api) -> TokenStream {
    let models = api.models.iter().map(model);
    let enums = api.enums.iter().map(enumeration);
    let unions = api.unions.iter().map(union);
    quote! {
        //! The data types of the API: one struct per schema of the spec, one enum per enumeration.
        //!
        //! Every struct tolerates fields it does not know; every enum keeps values it does not
        //! know in `Unknown`, so a newer service does not break an older client.
        #(#models)*
        #(#unions)*
        #(#enums)*
    }
}

/// A polymorphic schema: an enum over its subtypes. Read by the tag property's value (the
/// subtype keeps the tag as its own field, so a value is written back as it came); a value no
/// subtype declares stays whole in `Unknown`.
fn union(u: &Union) -> TokenStream {
    let name = ident(&u.rust_name);
    let docs = doc(u.doc.as_deref());
    let docs_sep = if u.doc.is_some() {
        quote! { #[doc = ""] }
    } else {
        quote! {}
    };
    let tag = &u.tag;
    let spec_name = format!(
        " Schema `{}` in the spec: one of its subtypes, by the value of `{tag}`.",
        u.spec_name
    );
    let variants: Vec<_> = u.variants.iter().map(|v| ident(&v.rust_name)).collect();
    let models: Vec<_> = u.variants.iter().map(|v| ident(&v.model)).collect();
    let values: Vec<&str> = u.variants.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = u
        .variants
        .iter()
        .map(|v| format!(" `{tag}` is `{}`.", v.value));
    // Fake data is of the first subtype (lower declares no enum without one).
    let fake = match variants.first() {
        Some(first) => quote! { #name::#first(fake::Dummy::dummy_with_rng(config, rng)) },
        None => quote! { { let _ = (config, rng); #name::Unknown(serde_json::Value::Null) } },
    };
    quote! {
        #docs
        #docs_sep
        #[doc = #spec_name]
        #[derive(Debug, Clone, PartialEq, serde::Serialize)]
        #[serde(untagged)]
        // Subtypes are held by value: such values come by the page, and a Box each would cost
        // an allocation per row.
        #[allow(clippy::large_enum_variant)]
        pub enum #name {
            #( #[doc = #variant_docs] #variants(#models), )*
            /// A value of the tag this version of the crate does not know (or none), kept as it came.
            Unknown(serde_json::Value),
        }

        impl #name {
            /// The JSON property that tells the subtypes apart.
            pub const TAG: &'static str = #tag;
            /// The tag values of the subtypes, in the spec's order.
            pub const KNOWN: &'static [&'static str] = &[#(#values),*];
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(deserializer)?;
                let tag = value.get(#tag).and_then(serde_json::Value::as_str);
                match tag {
                    #( Some(#values) => serde_json::from_value(value).map(#name::#variants).map_err(serde::de::Error::custom), )*
                    _ => Ok(#name::Unknown(value)),
                }
            }
        }

        #[cfg(feature = "fake")]
        impl fake::Dummy<fake::Faker> for #name {
            fn dummy_with_rng<R: fake::RngExt + ?Sized>(config: &fake::Faker, rng: &mut R) -> Self {
                #fake
            }
        }
    }
}

fn model(m: &Model) -> TokenStream {
    let name = ident(&m.rust_name);
    let docs = doc(m.doc.as_deref());
    let spec_name = format!(" Schema `{}` in the spec.", m.spec_name);
    let all_default = m.fields.iter().all(Field::is_optional);
    let default = if all_default {
        quote! { Default, }
    } else {
        quote! {}
    };
    let fields = m.fields.iter().map(field);
    let json_names = m.fields.iter().map(|f| &f.json_name);
    let additional = m.additional.as_ref().map(|t| {
        let t = ty(t, &quote! {});
        quote! {
            /// Properties the schema does not name, kept as they came.
            #[serde(flatten)]
            #[cfg_attr(feature = "fake", dummy(default))]
            pub additional_properties: std::collections::BTreeMap<String, #t>,
        }
    });
    let service_csv = service_csv(m);
    let docs_sep = if m.doc.is_some() {
        quote! { #[doc = ""] }
    } else {
        quote! {}
    };
    quote! {
        #docs
        #docs_sep
        #[doc = #spec_name]
        #[derive(Debug, Clone, PartialEq, #default serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "fake", derive(fake::Dummy))]
        pub struct #name {
            #(#fields)*
            #additional
        }

        impl #name {
            /// The JSON names of the fields, in the spec's order (the CSV columns of its rows).
            pub const JSON_FIELDS: &'static [&'static str] = &[#(#json_names),*];
        }

        #service_csv
    }
}

/// `impl ServiceCsv` for the row model of an `x-ea-csv` layout: its cells written and read in
/// the layout's order, each by its field's type.
fn service_csv(m: &Model) -> TokenStream {
    let Some(layout) = &m.csv else {
        return quote! {};
    };
    let name = ident(&m.rust_name);
    let title = &layout.title;
    let range_title = match &layout.range_title {
        Some(t) => quote! { Some(#t) },
        None => quote! { None },
    };
    let columns = layout.columns.iter().map(|c| {
        let f = &m.fields[c.field];
        let (caption, json) = (&c.caption, &f.json_name);
        let kind = match f.ty {
            TypeRef::String => quote! { Text },
            TypeRef::Bool => quote! { Bool },
            TypeRef::DateTime | TypeRef::Date => quote! { DateTime },
            _ => quote! { Number },
        };
        quote! {
            crate::runtime::service_csv::Column {
                caption: #caption,
                field: #json,
                kind: crate::runtime::service_csv::CellKind::#kind,
            }
        }
    });
    let writes = layout.columns.iter().map(|c| {
        let f = &m.fields[c.field];
        let field = ident(&f.rust_name);
        match (&f.ty, f.is_optional()) {
            (TypeRef::Decimal, true) => quote! { cells.display(self.#field.as_ref()); },
            (TypeRef::Decimal, false) => quote! { cells.display(Some(&self.#field)); },
            _ => quote! { cells.cell(&self.#field); },
        }
    });
    // Each field's column in the layout, if it has one, and the reader of its cell type: looked
    // up once, for both the new-row and the reused-row reader.
    let sources: Vec<_> = m
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let at = layout
                .columns
                .iter()
                .position(|c| c.field == i)
                .map(proc_macro2::Literal::usize_unsuffixed);
            let read = match (&f.ty, f.is_optional()) {
                (TypeRef::Decimal, true) => Some(quote! { parse }),
                (TypeRef::Decimal, false) => Some(quote! { parse_required }),
                _ => None,
            };
            (ident(&f.rust_name), at, read)
        })
        .collect();
    let reads = sources.iter().map(|(field, at, read)| match (at, read) {
        (None, _) => quote! { #field: None, },
        (Some(at), Some(read)) => quote! { #field: cells.#read(#at)?, },
        (Some(at), None) => quote! { #field: cells.get(#at)?, },
    });
    // A decimal is a value (no buffer to reuse); text and other cells are read into the
    // field's own value.
    let reads_into = sources.iter().map(|(field, at, read)| match (at, read) {
        (None, _) => quote! { self.#field = None; },
        (Some(at), Some(read)) => quote! { self.#field = cells.#read(#at)?; },
        (Some(at), None) => quote! { cells.get_into(#at, &mut self.#field)?; },
    });
    let additional = m
        .additional
        .as_ref()
        .map(|_| quote! { additional_properties: Default::default(), });
    let additional_into = m
        .additional
        .as_ref()
        .map(|_| quote! { self.additional_properties = Default::default(); });
    quote! {
        impl crate::runtime::service_csv::ServiceCsv for #name {
            const LAYOUT: crate::runtime::service_csv::Layout = crate::runtime::service_csv::Layout {
                title: #title,
                range_title: #range_title,
                columns: &[#(#columns),*],
            };

            fn write_cells(&self, cells: &mut crate::runtime::service_csv::CellWriter<'_>) {
                #(#writes)*
            }

            fn read_cells(
                cells: &crate::runtime::service_csv::Cells<'_>,
            ) -> Result<Self, crate::runtime::service_csv::CellError> {
                Ok(Self {
                    #(#reads)*
                    #additional
                })
            }

            fn read_cells_into(
                &mut self,
                cells: &crate::runtime::service_csv::Cells<'_>,
            ) -> Result<(), crate::runtime::service_csv::CellError> {
                #(#reads_into)*
                #additional_into
                Ok(())
            }
        }
    }
}

fn field(f: &Field) -> TokenStream {
    let name = ident(&f.rust_name);
    let docs = doc(f.doc.as_deref());
    let base = ty(&f.ty, &quote! {});
    let base = if f.boxed {
        quote! { Box<#base> }
    } else {
        base
    };
    let optional = f.is_optional();
    let rust_ty = if optional {
        quote! { Option<#base> }
    } else {
        base
    };
    let mut serde = Vec::new();
    let plain = f.rust_name.trim_start_matches("r#");
    if plain != f.json_name {
        let json = &f.json_name;
        serde.push(quote! { rename = #json });
    }
    if optional && !f.required {
        serde.push(quote! { default, skip_serializing_if = "Option::is_none" });
    } else if optional {
        serde.push(quote! { default });
    }
    let with = match (&f.ty, optional) {
        (TypeRef::DateTime, true) => Some("crate::runtime::datetime::option"),
        (TypeRef::DateTime, false) => Some("crate::runtime::datetime::required"),
        (TypeRef::Decimal, true) => Some("crate::runtime::decimal::option"),
        (TypeRef::Decimal, false) => Some("crate::runtime::decimal::required"),
        _ => None,
    };
    if let Some(with) = with {
        serde.push(quote! { with = #with });
    }
    let serde = if serde.is_empty() {
        quote! {}
    } else {
        quote! { #[serde(#(#serde),*)] }
    };
    let faker = match (f.faker, &f.ty) {
        (_, TypeRef::Json) | (Faker::Empty, _) => {
            quote! { #[cfg_attr(feature = "fake", dummy(default))] }
        }
        (Faker::Runtime(name), _) => {
            let path = format!("crate::runtime::fakers::{name}");
            quote! { #[cfg_attr(feature = "fake", dummy(faker = #path))] }
        }
        (Faker::Default, _) => quote! {},
    };
    quote! {
        #docs
        #serde
        #faker
        pub #name: #rust_ty,
    }
}

fn enumeration(e: &EnumType) -> TokenStream {
    let name = ident(&e.rust_name);
    let docs = doc(e.doc.as_deref());
    let variants: Vec<_> = e.variants.iter().map(|v| ident(&v.rust_name)).collect();
    let values: Vec<&str> = e.variants.iter().map(|v| v.value.as_str()).collect();
    let variant_docs = e.variants.iter().map(|v| {
        let d = v.doc.clone().unwrap_or_else(|| format!("`{}`", v.value));
        doc(Some(&d))
    });
    let count = proc_macro2::Literal::usize_unsuffixed(variants.len());
    let indices = (0..variants.len()).map(proc_macro2::Literal::usize_unsuffixed);
    let expected = values.join(", ");
    let summary = format!(
        " One of: {}.",
        values
            .iter()
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    quote! {
        #docs
        #[doc = #summary]
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum #name {
            #( #variant_docs #variants, )*
            /// A value this version of the crate does not know, kept as it came.
            Unknown(String),
        }

        impl #name {
            /// The values the spec lists, in its order.
            pub const KNOWN: [&'static str; #count] = [#(#values),*];

            /// The value on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    #( #name::#variants => #values, )*
                    #name::Unknown(other) => other,
                }
            }

            /// Reads a wire value; unknown values are kept in `Unknown`.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    #( #values => #name::#variants, )*
                    other => #name::Unknown(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for #name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for #name {
            type Err = std::convert::Infallible;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(value))
            }
        }

        impl serde::Serialize for #name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = String::deserialize(deserializer)?;
                Ok(Self::from_wire(&value))
            }
        }

        impl crate::runtime::params::ParamValue for #name {
            fn to_param(&self) -> String {
                self.as_str().to_string()
            }
            /// Parameters are strict: only the known values, in any letter case.
            fn parse_param(value: &str) -> Result<Self, String> {
                #( if value.eq_ignore_ascii_case(#values) { return Ok(#name::#variants); } )*
                Err(format!("expected one of {}", #expected))
            }
        }

        #[cfg(feature = "fake")]
        impl fake::Dummy<fake::Faker> for #name {
            fn dummy_with_rng<R: fake::RngExt + ?Sized>(_: &fake::Faker, rng: &mut R) -> Self {
                match rng.random_range(0..#count) {
                    #( #indices => #name::#variants, )*
                    _ => unreachable!("random_range stays below the number of variants"),
                }
            }
        }
    }
}
