//! Static tables the universe draws from, so generated data reads like a real Azure bill:
//! meter names, units and list prices (USD, rounded) as they appeared in EA price sheets.

/// How a meter's daily consumed quantity is generated.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum UsageProfile {
    /// Running hours: usually all 24, sometimes part of the day.
    Hours,
    /// A monthly unit billed per day: `count / days in month` (disks, fixed fees).
    MonthShare,
    /// Exactly one unit per day (DTU databases billed `1/Day`).
    Daily,
    /// Uniform in `[low, high)` (data volumes, transactions).
    Range(f64, f64),
}

/// One meter kind; the universe instantiates it in one or more regions.
#[derive(Debug)]
pub(crate) struct MeterTemplate {
    pub category: &'static str,
    pub sub_category: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub usd_price: f64,
    pub included_quantity: f64,
    pub profile: UsageProfile,
    pub resource: Resource,
    /// Service-specific JSON text for `additionalInfo`, or empty.
    pub additional_info: &'static str,
}

/// The kind of resource that emits a meter's usage.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resource {
    /// `consumedService`.
    pub consumed_service: &'static str,
    /// ARM provider/type, used in `instanceId`.
    pub resource_type: &'static str,
    /// Resource name prefix (Azure naming-convention abbreviation).
    pub prefix: &'static str,
}

const fn res(
    consumed_service: &'static str,
    resource_type: &'static str,
    prefix: &'static str,
) -> Resource {
    Resource {
        consumed_service,
        resource_type,
        prefix,
    }
}

const fn meter(
    category: &'static str,
    sub_category: &'static str,
    name: &'static str,
    unit: &'static str,
    usd_price: f64,
    profile: UsageProfile,
    resource: Resource,
) -> MeterTemplate {
    MeterTemplate {
        category,
        sub_category,
        name,
        unit,
        usd_price,
        included_quantity: 0.0,
        profile,
        resource,
        additional_info: "",
    }
}

impl MeterTemplate {
    const fn info(mut self, additional_info: &'static str) -> Self {
        self.additional_info = additional_info;
        self
    }

    const fn included(mut self, quantity: f64) -> Self {
        self.included_quantity = quantity;
        self
    }
}

use UsageProfile::{Daily, Hours, MonthShare, Range};

const VM: &str = "Virtual Machines";
const VMS: Resource = res(
    "Microsoft.Compute",
    "Microsoft.Compute/virtualMachines",
    "vm",
);
const DISKS: Resource = res("Microsoft.Compute", "Microsoft.Compute/disks", "disk");
const STORAGE: Resource = res("Microsoft.Storage", STORAGE_ACCOUNTS, "st");
const SQL: Resource = res("Microsoft.Sql", "Microsoft.Sql/servers", "sql");
const PIP: Resource = res(
    "Microsoft.Network",
    "Microsoft.Network/publicIPAddresses",
    "pip",
);
const LB: Resource = res(
    "Microsoft.Network",
    "Microsoft.Network/loadBalancers",
    "lbe",
);
const VGW: Resource = res(
    "Microsoft.Network",
    "Microsoft.Network/virtualNetworkGateways",
    "vgw",
);
const VNET: Resource = res(
    "Microsoft.Network",
    "Microsoft.Network/virtualNetworks",
    "vnet",
);
const PLAN: Resource = res("Microsoft.Web", "Microsoft.Web/serverFarms", "plan");
const FUNC: Resource = res("Microsoft.Web", "Microsoft.Web/sites", "func");
const LOG: Resource = res(
    "Microsoft.OperationalInsights",
    "Microsoft.OperationalInsights/workspaces",
    "log",
);
const KV: Resource = res("Microsoft.KeyVault", "Microsoft.KeyVault/vaults", "kv");
const COSMOS: Resource = res(
    "Microsoft.DocumentDB",
    "Microsoft.DocumentDB/databaseAccounts",
    "cosmos",
);

/// ARM type of storage accounts, whose names may not contain dashes.
pub(crate) const STORAGE_ACCOUNTS: &str = "Microsoft.Storage/storageAccounts";

/// Prices are USD list prices of the time, rounded; the universe converts and jitters them.
#[rustfmt::skip]
pub(crate) const METERS: &[MeterTemplate] = &[
    meter(VM, "Dv3/DSv3 Series", "D2 v3/D2s v3", "1 Hour", 0.096, Hours, VMS)
        .info(r#"{  "UsageType": "ComputeHR",  "ImageType": "Canonical",  "ServiceType": "Standard_D2s_v3",  "VCPUs": 2}"#),
    meter(VM, "Dv3/DSv3 Series Windows", "D4 v3/D4s v3", "1 Hour", 0.376, Hours, VMS)
        .info(r#"{  "UsageType": "ComputeHR",  "ImageType": "Windows Server 2019 Datacenter",  "ServiceType": "Standard_D4s_v3",  "VCPUs": 4}"#),
    meter(VM, "BS Series", "B2s", "1 Hour", 0.0416, Hours, VMS)
        .info(r#"{  "UsageType": "ComputeHR",  "ImageType": "Canonical",  "ServiceType": "Standard_B2s",  "VCPUs": 2}"#),
    meter(VM, "FSv2 Series", "F4s v2", "1 Hour", 0.169, Hours, VMS)
        .info(r#"{  "UsageType": "ComputeHR",  "ImageType": "RedHat",  "ServiceType": "Standard_F4s_v2",  "VCPUs": 4}"#),
    meter(VM, "Ev3/ESv3 Series", "E8 v3/E8s v3", "1 Hour", 0.504, Hours, VMS)
        .info(r#"{  "UsageType": "ComputeHR",  "ImageType": "Canonical",  "ServiceType": "Standard_E8s_v3",  "VCPUs": 8}"#),
    meter("Storage", "Premium SSD Managed Disks", "P10 Disks", "1/Month", 19.71, MonthShare, DISKS),
    meter("Storage", "Standard HDD Managed Disks", "S10 Disks", "1/Month", 5.89, MonthShare, DISKS),
    meter("Storage", "General Block Blob", "LRS Data Stored", "1 GB/Month", 0.0208, Range(0.01, 15.0), STORAGE),
    meter("Storage", "General Block Blob", "Write Operations", "10,000 Transactions", 0.055, Range(0.01, 40.0), STORAGE),
    meter("Storage", "Tables", "LRS Data Stored", "1 GB/Month", 0.045, Range(0.001, 2.0), STORAGE),
    meter("Storage", "Files", "LRS Data Stored", "1 GB/Month", 0.06, Range(0.01, 5.0), STORAGE),
    meter("Networking", "Bandwidth", "Data Transfer Out (GB)", "1 GB", 0.087, Range(0.01, 120.0), VMS)
        .info(r#"{  "UsageType": "DataTrOut",  "ServiceType": "Standard_D2s_v3"}"#),
    meter("Networking", "IP Addresses", "Standard IPv4 Static Public IP", "1 Hour", 0.005, Hours, PIP),
    meter("Networking", "Load Balancer", "Standard Data Processed", "1 GB", 0.005, Range(0.1, 500.0), LB),
    meter("Networking", "VPN Gateway", "VpnGw1", "1 Hour", 0.19, Hours, VGW),
    meter("Networking", "Virtual Network Peering", "Intra-Region Egress", "1 GB", 0.01, Range(0.1, 50.0), VNET),
    meter("SQL Database", "Single Standard", "S0 DTUs", "1/Day", 0.4839, Daily, SQL),
    meter("SQL Database", "Single Standard", "S1 DTUs", "1/Day", 0.9677, Daily, SQL),
    meter("SQL Database", "Single/Elastic Pool General Purpose - Compute Gen5", "vCore", "1 Hour", 0.2523, Range(2.0, 96.0), SQL),
    meter("SQL Database", "Single/Elastic Pool General Purpose - Storage", "General Purpose Data Stored", "1 GB/Month", 0.115, Range(0.1, 10.0), SQL),
    meter("Azure App Service", "Standard Plan", "S1 App", "1 Hour", 0.1, Hours, PLAN),
    meter("Log Analytics", "Analytics Logs", "Pay-as-you-go Data Ingestion", "1 GB", 2.3, Range(0.01, 8.0), LOG)
        .included(5.0),
    meter("Key Vault", "Standard", "Operations", "10,000 Transactions", 0.03, Range(0.001, 5.0), KV),
    meter("Azure Cosmos DB", "Azure Cosmos DB", "100 RU/s", "100/Hour", 0.008, Range(4.0, 240.0), COSMOS),
    meter("Functions", "Standard", "Standard Total Executions", "1,000,000", 0.2, Range(0.0001, 3.0), FUNC)
        .included(1.0),
];

/// Regions as meters name them (`meterRegion`) and as ARM names them (`location`): the first
/// ten of the runtime's list.
pub(crate) const REGIONS: &[(&str, &str)] =
    ea_reporting::runtime::fakers::AZURE_REGIONS.split_at(10).0;

/// Billing currencies with a rough USD conversion factor and a weight (percent).
pub(crate) const CURRENCIES: &[(&str, f64, u32)] = &[
    ("USD", 1.0, 60),
    ("EUR", 0.92, 15),
    ("GBP", 0.79, 10),
    ("AUD", 1.52, 5),
    ("CAD", 1.36, 5),
    ("JPY", 149.0, 5),
];

pub(crate) const DEPARTMENTS: &[&str] = &[
    "Engineering",
    "Finance",
    "Marketing",
    "Research",
    "Operations",
    "Sales",
    "IT",
    "Data Science",
    "Human Resources",
    "Legal",
];

pub(crate) const SUBSCRIPTION_PURPOSES: &[&str] = &[
    "Production",
    "Development",
    "Test",
    "Sandbox",
    "Shared Services",
    "Data Platform",
    "Dev/Test",
    "Analytics",
];

pub(crate) const WORKLOADS: &[&str] = &[
    "web",
    "api",
    "data",
    "network",
    "shared",
    "analytics",
    "identity",
    "monitoring",
];

pub(crate) const ENVIRONMENTS: &[&str] = &["prod", "dev", "test", "staging"];

/// A marketplace product kind; the universe gives it a publisher, plan and rate.
#[derive(Debug)]
pub(crate) struct OfferTemplate {
    pub product: &'static str,
    pub unit: &'static str,
    /// USD rate range.
    pub rate: (f64, f64),
    pub recurring: bool,
    pub profile: UsageProfile,
    /// A software subscription attached to no resource: the service left its meter,
    /// publisher, plan, resource group, instance, additional info and order number empty
    /// (`""`, wire-format.md S1).
    pub detached: bool,
}

/// The detached offer every universe sells, like the sample's `SendGrid-Free`.
pub(crate) const DETACHED_OFFER: OfferTemplate = OfferTemplate {
    product: "Transactional Email Free",
    unit: "Monthly",
    rate: (0.0, 0.0),
    recurring: true,
    profile: UsageProfile::Daily,
    detached: true,
};

const fn offer(
    product: &'static str,
    unit: &'static str,
    rate: (f64, f64),
    recurring: bool,
    profile: UsageProfile,
) -> OfferTemplate {
    OfferTemplate {
        product,
        unit,
        rate,
        recurring,
        profile,
        detached: false,
    }
}

#[rustfmt::skip]
pub(crate) const OFFERS: &[OfferTemplate] = &[
    offer("Next-Gen Firewall (PAYG)", "1 Hour", (0.5, 1.5), false, Hours),
    offer("Application Delivery Controller", "1 Hour", (0.1, 0.6), false, Hours),
    offer("Backup & Recovery Appliance", "1 GB", (0.02, 0.1), false, Range(1.0, 80.0)),
    offer("Secure Web Gateway", "1 Hour", (0.2, 0.9), false, Hours),
    offer("Redis Enterprise Cloud", "1 Hour", (0.3, 1.2), false, Hours),
    offer("SIEM Log Connector", "1 GB", (0.05, 0.5), false, Range(0.1, 20.0)),
    offer("Kubernetes Operations Dashboard", "1 Month", (20.0, 200.0), true, MonthShare),
    offer("Transactional Email Service", "1 Month", (9.95, 89.95), true, MonthShare),
];

pub(crate) const PLANS: &[&str] = &["standard", "premium", "payg-hourly", "byol", "enterprise"];

/// Marketplace `additionalInfo` texts (as the docs show them, `ImageType` often null).
pub(crate) const MARKETPLACE_INFO: &[&str] = &[
    r#"{  "ImageType": null,  "ServiceType": "Medium"}"#,
    r#"{  "ImageType": null,  "ServiceType": "Standard_D2s_v3"}"#,
    r#"{  "ImageType": null,  "ServiceType": "Small"}"#,
];

/// VM sizes sold as reservations, with their pay-as-you-go USD price per hour.
pub(crate) const RESERVATION_SKUS: &[(&str, f64)] = &[
    ("Standard_D2s_v3", 0.096),
    ("Standard_F2s", 0.1),
    ("Standard_DS1_v2", 0.073),
    ("Standard_E4s_v3", 0.252),
    ("Standard_B2ms", 0.0832),
    ("Standard_D4s_v3", 0.192),
];

/// Share of the pay-as-you-go price a reservation costs: about 60 % for one year,
/// 40 % for three (Azure's advertised "up to 72 %" is for the best cases).
pub fn reservation_price_share(term: &str) -> f64 {
    if term == "P3Y" { 0.4 } else { 0.6 }
}
