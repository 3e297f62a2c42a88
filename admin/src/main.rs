//! `admin`: the operator's command line. It reads the same environment as the functions
//! (table names, `DYNAMODB_ENDPOINT` locally, the AWS credential chain in AWS).

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use admin::{accounts, forms, seed, tables, template};
use shared::app::config;
use shared::ground::ids::{FormHash, MerchantId};
use shared::merchant::{ApiKey, ApiKeyHash};
use shared::store::dynamo::{DynamoForms, DynamoMerchants};

#[derive(Parser)]
#[command(about = "Operate the donations backend: tables, merchants, API keys, demo data")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Local DynamoDB tables, created from the SAM template.
    Tables {
        #[command(subcommand)]
        command: TablesCommand,
        #[arg(long, default_value = template::TEMPLATE_PATH)]
        template: PathBuf,
    },
    /// Merchants (the nonprofits using this deployment).
    Merchant {
        #[command(subcommand)]
        command: MerchantCommand,
    },
    /// Merchant API keys.
    Key {
        #[command(subcommand)]
        command: KeyCommand,
    },
    /// Donation forms.
    Form {
        #[command(subcommand)]
        command: FormCommand,
    },
    /// Local demo data: two merchants, a key each, a demo form; written to a JSON file.
    Seed {
        #[arg(long, default_value = ".local/demo.json")]
        out: PathBuf,
    },
}

#[derive(Subcommand)]
enum TablesCommand {
    /// Create every table of the template that does not exist yet (DynamoDB Local only).
    Create,
    /// Compare the live tables with the template; fails on any difference.
    Check,
}

#[derive(Subcommand)]
enum MerchantCommand {
    Create {
        id: String,
        #[arg(long)]
        name: Option<String>,
        /// The merchant's forms refuse sessions (Session-API error 102).
        #[arg(long)]
        no_forms: bool,
    },
}

#[derive(Subcommand)]
enum FormCommand {
    /// Create or replace a form from a JSON file (the body of `PUT /forms/{formHash}`).
    Put {
        #[arg(long)]
        file: PathBuf,
        #[arg(long)]
        merchant: String,
        /// The form's public hash (6 to 64 of a-z, 0-9); a random one when not given.
        #[arg(long)]
        hash: Option<String>,
    },
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Create a key for a merchant; the key is printed once and never again.
    Create { merchant: String },
    /// Revoke a key, given in clear or as its SHA-256 hash (the `keyHash` printed at creation).
    Revoke {
        #[arg(long, conflicts_with = "hash", required_unless_present = "hash")]
        key: Option<String>,
        #[arg(long)]
        hash: Option<String>,
    },
}

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    // The card and wallet methods the deployed functions' payment provider takes.
    let provided = shared::app::provided_methods();
    // The operator's credentials, from the whole AWS chain (SSO, profiles, processes).
    let http = config::https_client();
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(http.clone())
        .load()
        .await;
    let client = aws_sdk_dynamodb::Client::from_conf(
        config::dynamodb_config(http)
            .region(sdk.region().cloned())
            .credentials_provider(
                sdk.credentials_provider()
                    .context("no AWS credentials found (environment, profile or SSO)")?,
            )
            .build(),
    );
    let api_keys = || -> Result<DynamoMerchants> {
        Ok(DynamoMerchants::new(
            client.clone(),
            config::table_name(config::API_KEYS_TABLE)?,
        ))
    };
    let forms = || -> Result<DynamoForms> {
        Ok(DynamoForms::new(
            client.clone(),
            config::table_name(config::FORMS_TABLE)?,
        ))
    };
    match cli.command {
        Command::Tables { command, template } => {
            let specs = template::table_specs_from_file(&template)?;
            match command {
                TablesCommand::Create => {
                    if std::env::var(config::DYNAMODB_ENDPOINT).is_err() {
                        bail!(
                            "tables are created by CloudFormation in AWS; set DYNAMODB_ENDPOINT for DynamoDB Local"
                        );
                    }
                    for (name, outcome) in tables::ensure(&client, &specs).await? {
                        println!("{name}: {outcome:?}");
                    }
                }
                TablesCommand::Check => {
                    for spec in &specs {
                        let live = tables::describe(&client, &spec.name).await?;
                        if &live != spec {
                            bail!(
                                "table {} differs from the template:\n live: {live:?}\n template: {spec:?}",
                                spec.name
                            );
                        }
                        println!("{}: matches the template", spec.name);
                    }
                }
            }
        }
        Command::Merchant {
            command: MerchantCommand::Create { id, name, no_forms },
        } => {
            let id = MerchantId::parse(&id)?;
            let name = name.unwrap_or_else(|| id.to_string());
            let merchant = accounts::create_merchant(&api_keys()?, id, name, !no_forms).await?;
            println!(
                "{}",
                serde_json::json!({ "merchantId": merchant.id.as_str(), "name": merchant.name })
            );
        }
        Command::Key {
            command: KeyCommand::Create { merchant },
        } => {
            let merchant = MerchantId::parse(&merchant)?;
            let key = accounts::create_key(&api_keys()?, &merchant).await?;
            println!(
                "{}",
                serde_json::json!({
                    "merchantId": merchant.as_str(),
                    "apiKey": key.expose(),
                    "keyHash": key.hash().as_str(),
                })
            );
            eprintln!("Store this key now: it is shown only once.");
        }
        Command::Key {
            command: KeyCommand::Revoke { key, hash },
        } => {
            let hash = match (key, hash) {
                (Some(key), _) => ApiKey::from_presented(&key).hash(),
                (None, Some(hash)) => ApiKeyHash::parse(&hash)?,
                (None, None) => bail!("give --key or --hash"),
            };
            accounts::revoke_key(&api_keys()?, &hash).await?;
            println!("revoked {}", hash.as_str());
        }
        Command::Form {
            command:
                FormCommand::Put {
                    file,
                    merchant,
                    hash,
                },
        } => {
            let merchant = MerchantId::parse(&merchant)?;
            let hash = match hash {
                Some(hash) => FormHash::parse(&hash)?,
                None => seed::random_form_hash()?,
            };
            let json = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let form =
                forms::put_form(&forms()?, &api_keys()?, &json, hash, merchant, provided).await?;
            println!(
                "{}",
                serde_json::json!({ "formHash": form.hash, "merchantId": form.merchant_id })
            );
        }
        Command::Seed { out } => {
            let demo =
                seed::seed(&api_keys()?, &forms()?, seed::read_previous(&out), provided).await?;
            let json = serde_json::to_string_pretty(&demo)?;
            if let Some(dir) = out.parent() {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
            }
            std::fs::write(&out, format!("{json}\n"))
                .with_context(|| format!("writing {}", out.display()))?;
            println!("{json}");
        }
    }
    Ok(())
}
