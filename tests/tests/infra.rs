//! The SAM template (`infra/template.yaml`) checked against the code it deploys: one
//! function resource per crate of `functions/`, every declared route (and no other) on the
//! HTTP API with the same method, path and auth, sample events per function, the table as
//! the single-table design defines it, the identity the routes rely on, and IAM policies
//! without wildcards. Read as plain YAML: the template writes intrinsics in long form.

use lapor_api::{Auth, RouteSpec};
use lapor_models::Role;
use lapor_store::{Index, PK, SK, TTL};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Actions AWS authorises only on `Resource: "*"` (they act on no resource with an ARN),
/// the only ones an `Allow` statement may pair with `"*"`.
const STAR_RESOURCE_ACTIONS: &[&str] = &[
    // An SMS is published to a phone number, which has no ARN (Cognito's SMS role; notify).
    "sns:Publish",
    // Custom metrics have no ARN; a `cloudwatch:namespace` condition narrows them instead.
    "cloudwatch:PutMetricData",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the tests crate lives inside the workspace")
        .to_path_buf()
}

fn template() -> Value {
    let path = root().join("infra/template.yaml");
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "{} is not plain YAML (write intrinsics in long form, `Ref:` not `!Ref`): {e}",
            path.display()
        )
    })
}

/// The deployable function crates: each folder of `functions/` with a `Cargo.toml` and a
/// `src/main.rs`, by package name.
fn function_crates() -> BTreeSet<String> {
    let dir = root().join("functions");
    let entries =
        std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()));
    let mut crates = BTreeSet::new();
    for entry in entries {
        let path = entry.expect("a readable entry of functions/").path();
        let manifest = path.join("Cargo.toml");
        if !manifest.is_file() || !path.join("src/main.rs").is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&manifest).expect("a readable Cargo.toml");
        let name = package_name(&text)
            .unwrap_or_else(|| panic!("{} names no package", manifest.display()));
        crates.insert(name);
    }
    assert!(
        !crates.is_empty(),
        "no function crate found in {}",
        dir.display()
    );
    crates
}

/// `name = "…"` of the `[package]` table.
fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(value) = line.strip_prefix("name").map(str::trim_start) {
                if let Some(value) = value.strip_prefix('=') {
                    return Some(value.trim().trim_matches('"').to_owned());
                }
            }
        }
    }
    None
}

fn resources(template: &Value) -> &serde_json::Map<String, Value> {
    template["Resources"]
        .as_object()
        .expect("the template has Resources")
}

fn of_type<'a>(template: &'a Value, kind: &str) -> Vec<(&'a String, &'a Value)> {
    resources(template)
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

/// The function resources by logical id, with the crate each builds.
fn function_resources(template: &Value) -> BTreeMap<String, String> {
    of_type(template, "AWS::Serverless::Function")
        .into_iter()
        .map(|(id, resource)| {
            let binary = resource["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap_or_else(|| panic!("{id} names no Metadata.BuildProperties.Binary"));
            (id.clone(), binary.to_owned())
        })
        .collect()
}

/// The logical id a `Ref:` names.
fn ref_target(value: &Value) -> Option<&str> {
    value.get("Ref").and_then(Value::as_str)
}

/// The logical id a `Fn::GetAtt: [Id, Attribute]` names.
fn get_att_target<'a>(value: &'a Value, attribute: &str) -> Option<&'a str> {
    let parts = value.get("Fn::GetAtt")?.as_array()?;
    (parts.get(1)?.as_str()? == attribute)
        .then(|| parts.first()?.as_str())
        .flatten()
}

/// A function property as deployed: the resource's own value, else the Globals one.
fn effective<'a>(template: &'a Value, function: &'a Value, property: &str) -> &'a Value {
    match function["Properties"].get(property) {
        Some(value) => value,
        None => &template["Globals"]["Function"][property],
    }
}

/// How a route is guarded in API Gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Gate {
    /// No authorizer: anyone reaches the function.
    Open,
    /// The Cognito JWT authorizer.
    Jwt,
}

fn gate_of(auth: Auth) -> Gate {
    match auth {
        Auth::Public | Auth::Optional => Gate::Open,
        Auth::Roles(_) => Gate::Jwt,
    }
}

type Route = (String, String, String, Gate);

fn declared_routes() -> BTreeSet<Route> {
    let routes: Vec<(&str, RouteSpec)> = lapor_local::function_routes();
    let set: BTreeSet<Route> = routes
        .iter()
        .map(|(function, spec)| {
            (
                function.to_string(),
                spec.method.to_owned(),
                spec.path.to_owned(),
                gate_of(spec.auth),
            )
        })
        .collect();
    assert_eq!(set.len(), routes.len(), "a route is declared twice");
    set
}

/// The one HTTP API's logical id and its JWT authorizer's name.
fn http_api(template: &Value) -> (String, String) {
    let apis = of_type(template, "AWS::Serverless::HttpApi");
    assert_eq!(apis.len(), 1, "the template has one HTTP API");
    let (id, api) = apis[0];
    let authorizers = api["Properties"]["Auth"]["Authorizers"]
        .as_object()
        .unwrap_or_else(|| panic!("{id} declares no authorizers"));
    let jwt: Vec<&String> = authorizers
        .iter()
        .filter(|(_, a)| a.get("JwtConfiguration").is_some())
        .map(|(name, _)| name)
        .collect();
    assert_eq!(jwt.len(), 1, "{id} has one JWT authorizer");
    (id.clone(), jwt[0].clone())
}

/// Every API route the template serves, with the crate of the function serving it.
fn template_routes(template: &Value) -> BTreeSet<Route> {
    let (api, authorizer) = http_api(template);
    let crates = function_resources(template);
    let mut routes = BTreeSet::new();
    let mut count = 0;
    for (id, resource) in of_type(template, "AWS::Serverless::Function") {
        let Some(events) = resource["Properties"]
            .get("Events")
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (name, event) in events {
            let kind = event["Type"].as_str().unwrap_or_default();
            assert_ne!(kind, "Api", "{id}.{name}: REST API events are not used");
            if kind != "HttpApi" {
                continue;
            }
            let properties = &event["Properties"];
            assert_eq!(
                ref_target(&properties["ApiId"]),
                Some(api.as_str()),
                "{id}.{name} is not on the HTTP API {api}"
            );
            let method = properties["Method"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}.{name} has no Method"));
            let path = properties["Path"]
                .as_str()
                .unwrap_or_else(|| panic!("{id}.{name} has no Path"));
            let gate = match properties["Auth"]["Authorizer"].as_str() {
                Some("NONE") => Gate::Open,
                Some(a) if a == authorizer => Gate::Jwt,
                other => panic!(
                    "{id}.{name}: Auth.Authorizer must be NONE or {authorizer}, stated \
                     explicitly; found {other:?}"
                ),
            };
            routes.insert((
                crates[id].clone(),
                method.to_uppercase(),
                path.to_owned(),
                gate,
            ));
            count += 1;
        }
    }
    assert_eq!(count, routes.len(), "a route is in the template twice");
    routes
}

#[test]
fn every_function_crate_has_exactly_one_function_resource_and_every_resource_a_crate() {
    let template = template();
    let crates = function_crates();
    let resources = function_resources(&template);
    for krate in &crates {
        let ids: Vec<&String> = resources
            .iter()
            .filter(|(_, binary)| *binary == krate)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(
            ids.len(),
            1,
            "functions/{krate} must be deployed by exactly one AWS::Serverless::Function \
             (Metadata.BuildProperties.Binary: {krate}); found {ids:?}"
        );
    }
    for (id, binary) in &resources {
        assert!(
            crates.contains(binary),
            "{id} builds {binary}, which is no crate with a main.rs in functions/"
        );
    }
    assert!(
        of_type(&template, "AWS::Lambda::Function").is_empty(),
        "functions are declared as AWS::Serverless::Function, built from their crate"
    );
}

#[test]
fn every_function_is_built_by_cargo_lambda_from_the_workspace_for_arm64_on_al2023() {
    let template = template();
    let workspace = root().canonicalize().expect("the workspace root exists");
    for (id, function) in of_type(&template, "AWS::Serverless::Function") {
        assert_eq!(
            function["Metadata"]["BuildMethod"], "rust-cargolambda",
            "{id} BuildMethod"
        );
        let code_uri = function["Properties"]["CodeUri"]
            .as_str()
            .unwrap_or_else(|| panic!("{id} has no CodeUri"));
        let code = root().join("infra").join(code_uri).canonicalize();
        assert_eq!(
            code.ok().as_ref(),
            Some(&workspace),
            "{id}: CodeUri must be the workspace root, relative to infra/"
        );
        assert_eq!(
            effective(&template, function, "Runtime"),
            "provided.al2023",
            "{id} Runtime"
        );
        assert_eq!(
            effective(&template, function, "Architectures"),
            &serde_json::json!(["arm64"]),
            "{id} Architectures"
        );
        assert_eq!(
            effective(&template, function, "Handler"),
            "bootstrap",
            "{id} Handler"
        );
    }
    assert_eq!(
        template["Globals"]["Function"]["LoggingConfig"]["LogFormat"], "JSON",
        "functions log JSON lines"
    );
}

#[test]
fn every_declared_route_is_served_by_its_function_with_the_same_method_path_and_auth() {
    let template = template();
    let served = template_routes(&template);
    let declared = declared_routes();
    let missing: Vec<&Route> = declared.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "routes declared in ROUTES but not in infra/template.yaml as they are declared \
         (function, method, path, auth): {missing:#?}"
    );
}

#[test]
fn the_template_serves_no_route_the_functions_do_not_declare() {
    let template = template();
    let declared = declared_routes();
    let extra: Vec<Route> = template_routes(&template)
        .difference(&declared)
        .cloned()
        .collect();
    assert!(
        extra.is_empty(),
        "routes in infra/template.yaml that no ROUTES declares so: {extra:#?}"
    );
    assert!(
        of_type(&template, "AWS::ApiGatewayV2::Route").is_empty(),
        "routes are declared as HttpApi events of their function only"
    );
    let (api, _) = http_api(&template);
    let properties = &resources(&template)[&api]["Properties"];
    assert!(
        properties.get("DefinitionBody").is_none() && properties.get("DefinitionUri").is_none(),
        "the HTTP API takes its routes from the functions' events, not an OpenAPI body"
    );
}

#[test]
fn the_jwt_authorizer_trusts_tokens_of_the_user_pool_for_the_app_client() {
    let template = template();
    let (api, authorizer) = http_api(&template);
    let jwt = &resources(&template)[&api]["Properties"]["Auth"]["Authorizers"][&authorizer]
        ["JwtConfiguration"];
    let issuer = jwt["issuer"]["Fn::Sub"].as_str().unwrap_or_default();
    let pools = of_type(&template, "AWS::Cognito::UserPool");
    assert_eq!(pools.len(), 1, "one user pool");
    assert_eq!(
        issuer,
        format!(
            "https://cognito-idp.${{AWS::Region}}.amazonaws.com/${{{}}}",
            pools[0].0
        ),
        "the issuer is the user pool"
    );
    let clients = of_type(&template, "AWS::Cognito::UserPoolClient");
    assert_eq!(clients.len(), 1, "one app client");
    assert_eq!(
        jwt["audience"]
            .as_array()
            .map(|a| a.iter().filter_map(ref_target).collect::<Vec<_>>()),
        Some(vec![clients[0].0.as_str()]),
        "the audience is the app client"
    );
}

/// A function serving an `Auth::Optional` route has no authorizer there and checks
/// tokens itself: it must be told the same user pool and app client as the authorizer.
#[test]
fn functions_with_routes_open_to_signed_in_callers_check_tokens_of_the_authorizers_pool() {
    let template = template();
    let (api, authorizer) = http_api(&template);
    let jwt = &resources(&template)[&api]["Properties"]["Auth"]["Authorizers"][&authorizer]
        ["JwtConfiguration"];
    let crates = function_resources(&template);
    let optional: BTreeSet<String> = lapor_local::function_routes()
        .into_iter()
        .filter(|(_, spec)| spec.auth == Auth::Optional)
        .map(|(function, _)| function.to_string())
        .collect();
    assert!(!optional.is_empty());
    for (id, resource) in of_type(&template, "AWS::Serverless::Function") {
        let variables = &resource["Properties"]["Environment"]["Variables"];
        let issuer = variables.get(lapor_api::cognito::ISSUER_VARIABLE);
        let client = variables.get(lapor_api::cognito::CLIENT_ID_VARIABLE);
        if optional.contains(&crates[id]) {
            assert_eq!(
                issuer,
                Some(&jwt["issuer"]),
                "{id}: issuer of the authorizer"
            );
            assert_eq!(
                client,
                jwt["audience"].get(0),
                "{id}: app client of the authorizer"
            );
        } else {
            assert!(
                issuer.is_none() && client.is_none(),
                "{id} has no optional route and needs no user pool"
            );
        }
    }
}

/// `social-poll` reads account tokens under the prefix it is given, which must be the one
/// path its role may read.
#[test]
fn social_poll_reads_tokens_from_the_one_ssm_path_its_role_may_read() {
    let template = template();
    let crates = function_resources(&template);
    let (id, function) = of_type(&template, "AWS::Serverless::Function")
        .into_iter()
        .find(|(id, _)| crates[*id] == "social-poll")
        .expect("a social-poll function");
    let prefix = function["Properties"]["Environment"]["Variables"]
        ["LAPOR_SOCIAL_CREDENTIALS_PREFIX"]["Fn::Sub"]
        .as_str()
        .unwrap_or_else(|| panic!("{id} sets LAPOR_SOCIAL_CREDENTIALS_PREFIX"));
    assert!(prefix.starts_with('/') && prefix.ends_with('/'));
    let role = get_att_target(&function["Properties"]["Role"], "Arn")
        .unwrap_or_else(|| panic!("{id} has its own role"));
    let mut found = Vec::new();
    statements(&resources(&template)[role], role, &mut found);
    let ssm: Vec<&Value> = found
        .iter()
        .filter(|(_, s)| s["Action"].to_string().contains("ssm:"))
        .map(|(_, s)| *s)
        .collect();
    assert_eq!(ssm.len(), 1, "{role}: one SSM statement");
    assert_eq!(ssm[0]["Action"], serde_json::json!(["ssm:GetParameter"]));
    assert_eq!(
        ssm[0]["Resource"]["Fn::Sub"].as_str(),
        Some(
            format!("arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter{prefix}*")
                .as_str()
        )
    );
}

#[test]
fn the_user_pool_signs_in_by_phone_and_has_a_group_for_every_signed_in_role() {
    let template = template();
    let (_, pool) = of_type(&template, "AWS::Cognito::UserPool")[0];
    let pool = &pool["Properties"];
    assert_eq!(
        pool["UsernameAttributes"],
        serde_json::json!(["phone_number"])
    );
    let schema = pool["Schema"].as_array().expect("the pool has a schema");
    assert!(
        schema.iter().any(|a| a["Name"] == "unit_id"),
        "custom:unit_id is an attribute of the pool"
    );
    let groups: BTreeSet<&str> = of_type(&template, "AWS::Cognito::UserPoolGroup")
        .iter()
        .filter_map(|(_, g)| g["Properties"]["GroupName"].as_str())
        .collect();
    for role in [Role::Citizen, Role::Pic, Role::Admin] {
        assert!(groups.contains(role.as_str()), "no group {}", role.as_str());
    }
    for (function, spec) in lapor_local::function_routes() {
        if let Auth::Roles(roles) = spec.auth {
            for role in roles {
                assert!(
                    groups.contains(role.as_str()),
                    "{function} {} {} needs the group {}",
                    spec.method,
                    spec.path,
                    role.as_str()
                );
            }
        }
    }
}

#[test]
fn the_app_client_cannot_write_the_unit_a_pic_belongs_to() {
    let template = template();
    let (id, client) = of_type(&template, "AWS::Cognito::UserPoolClient")[0];
    let writable = client["Properties"]["WriteAttributes"]
        .as_array()
        .unwrap_or_else(|| panic!("{id} must list its WriteAttributes (else all are writable)"));
    assert!(
        !writable.iter().any(|a| a == "custom:unit_id"),
        "a citizen could make themselves a unit's PIC"
    );
}

#[test]
fn every_function_crate_has_sample_events_that_are_json() {
    for krate in function_crates() {
        let dir = root().join("events").join(&krate);
        let samples: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("events/{krate}/ is missing: {e}"))
            .map(|e| e.expect("a readable entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        assert!(
            !samples.is_empty(),
            "events/{krate}/ has no sample event (*.json)"
        );
        for sample in samples {
            let text = std::fs::read_to_string(&sample).expect("a readable sample");
            serde_json::from_str::<Value>(&text)
                .unwrap_or_else(|e| panic!("{} is not JSON: {e}", sample.display()));
        }
    }
}

#[test]
fn the_table_is_the_single_table_design() {
    let template = template();
    let tables = of_type(&template, "AWS::DynamoDB::Table");
    assert_eq!(tables.len(), 1, "one table");
    let (id, table) = tables[0];
    assert_eq!(table["DeletionPolicy"], "Retain", "{id} DeletionPolicy");
    let p = &table["Properties"];
    let key = |partition: &str, sort: &str| {
        serde_json::json!([
            {"AttributeName": partition, "KeyType": "HASH"},
            {"AttributeName": sort, "KeyType": "RANGE"},
        ])
    };
    assert_eq!(p["KeySchema"], key(PK, SK));
    let mut attributes = vec![PK, SK];
    let mut indexes = Vec::new();
    for index in Index::ALL {
        attributes.push(index.partition_attribute());
        attributes.push(index.sort_attribute());
        indexes.push(serde_json::json!({
            "IndexName": index.name(),
            "KeySchema": key(index.partition_attribute(), index.sort_attribute()),
            "Projection": {"ProjectionType": "ALL"},
        }));
    }
    let defined: BTreeMap<&str, &str> = p["AttributeDefinitions"]
        .as_array()
        .expect("attribute definitions")
        .iter()
        .map(|a| {
            (
                a["AttributeName"].as_str().unwrap_or_default(),
                a["AttributeType"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    let expected: BTreeMap<&str, &str> = attributes.into_iter().map(|a| (a, "S")).collect();
    assert_eq!(defined, expected, "attribute definitions");
    assert_eq!(p["GlobalSecondaryIndexes"], Value::Array(indexes));
    assert_eq!(p["BillingMode"], "PAY_PER_REQUEST");
    assert_eq!(
        p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"],
        true
    );
    assert_eq!(p["DeletionProtectionEnabled"], true);
    assert_eq!(
        p["TimeToLiveSpecification"],
        serde_json::json!({"AttributeName": TTL, "Enabled": true})
    );
    assert_eq!(
        p["StreamSpecification"]["StreamViewType"],
        "NEW_AND_OLD_IMAGES"
    );
}

#[test]
fn every_function_runs_with_its_own_role_built_in_the_template_without_managed_policies() {
    let template = template();
    let resources = resources(&template);
    let mut roles = BTreeSet::new();
    for (id, function) in of_type(&template, "AWS::Serverless::Function") {
        assert!(
            function["Properties"].get("Policies").is_none(),
            "{id}: SAM Policies bring managed policies with `*` resources; give it a Role"
        );
        let role = get_att_target(&function["Properties"]["Role"], "Arn")
            .unwrap_or_else(|| panic!("{id}: Role must be Fn::GetAtt [<role>, Arn]"));
        assert_eq!(
            resources[role]["Type"], "AWS::IAM::Role",
            "{id}: {role} is no role"
        );
        assert!(
            resources[role]["Properties"]
                .get("ManagedPolicyArns")
                .is_none(),
            "{role} attaches managed policies"
        );
        assert!(roles.insert(role), "{role} serves more than one function");
    }
}

#[test]
fn every_function_has_its_own_log_group_with_retention_and_alarms_on_errors_and_throttles() {
    let template = template();
    let resources = resources(&template);
    let alarms = of_type(&template, "AWS::CloudWatch::Alarm");
    let topics: BTreeSet<&String> = of_type(&template, "AWS::SNS::Topic")
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let alarm_on = |metric: &str, dimension: &str| {
        alarms.iter().any(|(_, alarm)| {
            let p = &alarm["Properties"];
            p["MetricName"] == metric
                && p["Dimensions"]
                    .as_array()
                    .is_some_and(|d| d.iter().any(|d| ref_target(&d["Value"]) == Some(dimension)))
                && p["AlarmActions"].as_array().is_some_and(|a| {
                    a.iter()
                        .filter_map(ref_target)
                        .any(|t| topics.iter().any(|topic| topic.as_str() == t))
                })
        })
    };
    let mut groups = BTreeSet::new();
    for (id, function) in of_type(&template, "AWS::Serverless::Function") {
        let group = ref_target(&function["Properties"]["LoggingConfig"]["LogGroup"])
            .unwrap_or_else(|| panic!("{id}: LoggingConfig.LogGroup must Ref its log group"));
        assert_eq!(resources[group]["Type"], "AWS::Logs::LogGroup");
        assert!(
            resources[group]["Properties"]
                .get("RetentionInDays")
                .is_some(),
            "{group} keeps logs forever"
        );
        assert!(groups.insert(group), "{group} is shared by two functions");
        for metric in ["Errors", "Throttles"] {
            assert!(
                alarm_on(metric, id),
                "{id} has no {metric} alarm to an operations topic"
            );
        }
    }
    let queues = of_type(&template, "AWS::SQS::Queue");
    assert!(!queues.is_empty(), "a dead-letter queue");
    for (id, _) in queues {
        let depth = alarms.iter().any(|(_, alarm)| {
            let p = &alarm["Properties"];
            p["MetricName"] == "ApproximateNumberOfMessagesVisible"
                && p["Dimensions"].as_array().is_some_and(|d| {
                    d.iter()
                        .any(|d| get_att_target(&d["Value"], "QueueName") == Some(id))
                })
        });
        assert!(depth, "{id} has no alarm on its depth");
    }
}

/// Every policy statement anywhere in the template (roles, bucket, queue and topic
/// policies, trust policies): each object holding a `Statement`.
fn statements<'a>(value: &'a Value, path: &str, out: &mut Vec<(String, &'a Value)>) {
    match value {
        Value::Object(map) => {
            if let Some(statement) = map.get("Statement") {
                match statement {
                    Value::Array(items) => {
                        for (i, s) in items.iter().enumerate() {
                            out.push((format!("{path}.Statement[{i}]"), s));
                        }
                    }
                    other => out.push((format!("{path}.Statement"), other)),
                }
            }
            for (key, inner) in map {
                statements(inner, &format!("{path}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                statements(inner, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

fn strings_of<'a>(value: &'a Value, what: &str, at: &str) -> Vec<&'a str> {
    match value {
        Value::String(s) => vec![s.as_str()],
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.as_str(),
                // An intrinsic (an ARN from Fn::GetAtt, Fn::Sub…) names one resource.
                _ if what == "Resource" => "",
                _ => panic!("{at}: {what} {v} is not a literal string"),
            })
            .collect(),
        _ if what == "Resource" => vec![""],
        other => panic!("{at}: {what} {other} is not a literal string or list"),
    }
}

#[test]
fn no_policy_allows_wildcard_actions_or_wildcard_resources_where_an_arn_exists() {
    let template = template();
    let mut found = Vec::new();
    statements(&template["Resources"], "Resources", &mut found);
    let allows: Vec<&(String, &Value)> = found
        .iter()
        .filter(|(_, s)| s["Effect"] == "Allow")
        .collect();
    assert!(
        allows.len() >= function_resources(&template).len(),
        "the walk found too few statements: {}",
        allows.len()
    );
    for (at, statement) in allows {
        assert!(
            statement.get("NotAction").is_none() && statement.get("NotResource").is_none(),
            "{at}: Allow with NotAction/NotResource grants nearly everything"
        );
        assert!(
            statement.get("Principal") != Some(&Value::from("*"))
                && statement["Principal"]["AWS"] != "*",
            "{at}: allows anyone"
        );
        let actions = strings_of(&statement["Action"], "Action", at);
        assert!(!actions.is_empty(), "{at}: no Action");
        for action in &actions {
            assert!(
                !action.contains('*'),
                "{at}: the action {action:?} is a wildcard"
            );
        }
        if let Some(resource) = statement.get("Resource") {
            if strings_of(resource, "Resource", at).contains(&"*") {
                for action in &actions {
                    assert!(
                        STAR_RESOURCE_ACTIONS.contains(action),
                        "{at}: {action} on Resource \"*\"; name the ARN it acts on"
                    );
                }
            }
        }
    }
}
