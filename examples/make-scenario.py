#!/usr/bin/env python3
"""Writes vpshunt's training scenario, deterministically: one adversary, three traces.

    python3 examples/make-scenario.py            # rewrites examples/scenario/ (next to this script)
    python3 examples/make-scenario.py --check    # regenerates into a temporary folder and fails unless
                                                 # the committed files are identical

The story (README.md in this folder, "The training scenario"): an adversary rents servers in one
Hetzner network, sprays the tenant's sign-ins from them (hard from one address, low and slow from six
more), finds m.jones's password, and the implant later planted on her workstation beacons to a server
in the same range, while another server of that range scans the perimeter. Around it, an ordinary
day: employees signing in from home ISPs, the office behind Zscaler, one employee on NordVPN, a
partner's SFTP job on AWS, web visitors, browsers and Office talking to Microsoft.

  scenario/SigninLogs.csv                  Entra ID SigninLogs, Log Analytics "Export to CSV" (UTF-8 with
                                           BOM, CRLF, en-US local times, multi-line JSON cells)
  scenario/DeviceNetworkEvents.csv         Defender advanced hunting export: the implant and ordinary traffic
  scenario/conn.log                        Zeek conn.log (TSV) at the perimeter: the scanner, visitors, a partner
  scenario/ThreatIntelligenceIndicator.csv one indicator, for the scanner (a blocklist saw it scan)
  scenario/expected.json                   what each detection must report for these files (the planted rows,
                                           counted here from what was written; tests/core/unit-scenario.cpp
                                           reads the files through the real readers and checks them)

Only the standard library is used; the output does not depend on the Python version. The addresses
belong to real networks (their ASNs are written as the logs would) and stand in for made-up activity.
"""
import csv
import hashlib
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "scenario")

TICKS_PER_SEC = 10_000_000
TICKS_PER_MIN = 60 * TICKS_PER_SEC
TICKS_PER_HOUR = 60 * TICKS_PER_MIN
TICKS_PER_DAY = 24 * TICKS_PER_HOUR


def days_from_civil(y, m, d):
    y -= m <= 2
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z):
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def ticks(y, mo, d, h=0, mi=0, s=0, frac7=0):
    return ((days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * TICKS_PER_SEC) + frac7


def parts(t):
    days, rem = divmod(t, TICKS_PER_DAY)
    y, mo, d = civil_from_days(days)
    secs, frac = divmod(rem, TICKS_PER_SEC)
    return y, mo, d, secs // 3600, secs // 60 % 60, secs % 60, frac


def iso7(t):
    """Defender's form: 2026-11-24T14:37:28.2012261Z."""
    return "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ" % parts(t)


def iso_seconds(t):
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % parts(t)[:6]


def la_time(t):
    """Log Analytics "Export to CSV" in an en-US browser: 11/24/2026, 6:02:11.250 AM (UTC column)."""
    y, mo, d, h, mi, s, frac = parts(t)
    return "%d/%d/%d, %d:%02d:%02d.%03d %s" % (mo, d, y, (h % 12) or 12, mi, s, frac // 10000, "AM" if h < 12 else "PM")


def zeek_ts(t):
    whole, frac = divmod(t - ticks(1970, 1, 1), TICKS_PER_SEC)
    return "%d.%06d" % (whole, frac // 10)


class Rng:
    """xorshift64*: the same everywhere (no dependence on Python's random module)."""

    def __init__(self, seed):
        self.s = seed or 0x9E3779B97F4A7C15

    def next(self):
        s = self.s
        s ^= (s >> 12)
        s ^= (s << 25) & 0xFFFFFFFFFFFFFFFF
        s ^= (s >> 27)
        self.s = s
        return (s * 0x2545F4914F6CDD1D) & 0xFFFFFFFFFFFFFFFF

    def below(self, n):
        return self.next() % n

    def pick(self, seq):
        return seq[self.below(len(seq))]

    def chance(self, p):
        return self.next() / 2.0**64 < p


rng = Rng(20261124)

# --------------------------------------------------------------------------------------------
# The time frame: the Defender export ends at END (its latest event is `now`); the sign-in export
# starts the afternoon before, so part of it lies outside the 24 h lookback.
END = ticks(2026, 11, 24, 15, 59, 41, 3171234)
DAY = ticks(2026, 11, 24)
SIGNIN_START = ticks(2026, 11, 23, 12, 0)
CUTOFF = END - TICKS_PER_DAY


def at(h, mi=0, s=0):
    return DAY + ((h * 60 + mi) * 60 + s) * TICKS_PER_SEC


def jitter(seconds):
    return rng.below(2 * seconds * TICKS_PER_SEC + 1) - seconds * TICKS_PER_SEC


# The adversary's rented network: Hetzner (AS24940), one /24.
ADV = {
    "spray": "5.75.240.11",
    "slow": ["5.75.240.23", "5.75.240.37", "5.75.240.52", "5.75.240.66", "5.75.240.79", "5.75.240.93"],
    "c2": "5.75.240.140",
    "scanner": "5.75.240.201",
}
ADV_NET = "5.75.240.0/24"
HETZNER = ("24940", "Hetzner Online GmbH")

TENANT = "7c1b2d6e-3f4a-4b5c-9d8e-0f1a2b3c4d5e"
DOMAIN = "contoso.example"
# Employees: (user name, display name, home address, home ASN, city/country) — one home address each.
HOMES = [
    ("73.162.10.20", "7922", "Seattle", "WA", "US"), ("73.170.44.9", "7922", "San Jose", "CA", "US"),
    ("98.207.10.20", "7922", "Sunnyvale", "CA", "US"), ("24.5.77.12", "7922", "Oakland", "CA", "US"),
    ("68.41.102.7", "7922", "Ann Arbor", "MI", "US"), ("71.230.11.5", "7922", "Philadelphia", "PA", "US"),
    ("86.150.21.7", "2856", "London", "England", "GB"), ("109.147.3.200", "2856", "Leeds", "England", "GB"),
    ("81.102.5.33", "5089", "Manchester", "England", "GB"), ("176.24.77.9", "5607", "Bristol", "England", "GB"),
    ("91.0.114.9", "3320", "Berlin", "Berlin", "DE"), ("79.198.12.40", "3320", "Hamburg", "Hamburg", "DE"),
    ("90.12.55.1", "3215", "Lyon", "Auvergne-Rhone-Alpes", "FR"), ("172.56.21.9", "21928", "Denver", "CO", "US"),
]
ZSCALER = [("136.226.10.5", "22616"), ("136.226.10.6", "22616")]  # the office's egress (ZIA)
NORDVPN = ("2.58.36.10", "136787")
PARTNER_AWS = "3.120.0.10"  # a partner's SFTP job (AWS eu-central-1)

FIRST = ["anna", "ben", "chloe", "david", "elena", "farid", "grace", "hugo", "ines", "jonas", "kate", "liam", "maria",
         "nils", "olga", "pavel", "quinn", "rosa", "sam", "tara", "umar", "vera", "will", "xena", "yusuf", "zoe"]
LAST = ["adams", "baker", "chen", "diaz", "evans", "fischer", "garcia", "hughes", "ivanova", "jones", "kim", "lopez",
        "moreau", "novak", "owens", "patel", "quint", "reyes", "smith", "tanaka", "ueda", "vogel", "wright", "young"]
# (first, last) pairs are distinct for i < 312: 7 is invertible modulo 24.
EMPLOYEES = ["%s.%s@%s" % (FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)], DOMAIN) for i in range(90)]
VICTIM = "m.jones@" + DOMAIN                # the compromised user (her workstation: fin-ws-07)
VPN_USER = "p.novak@" + DOMAIN              # on NordVPN all day
EMPLOYEES = [VICTIM] + EMPLOYEES + [VPN_USER]
assert len(set(EMPLOYEES)) == len(EMPLOYEES)

APPS = [("Office 365 Exchange Online", "Office 365 Exchange Online"), ("Microsoft Teams", "Microsoft Teams Services"),
        ("Azure Portal", "Windows Azure Service Management API"), ("OfficeHome", "Office 365 SharePoint Online"),
        ("Microsoft Authentication Broker", "Microsoft Graph")]

SIGNIN_COLUMNS = ["TenantId", "SourceSystem", "TimeGenerated [UTC]", "ResultType", "ResultDescription", "Identity",
                  "AppDisplayName", "ClientAppUsed", "CreatedDateTime [UTC]", "DeviceDetail", "IsInteractive",
                  "IPAddress", "LocationDetails", "ResourceDisplayName", "Status", "UserAgent", "UserDisplayName",
                  "UserPrincipalName", "AutonomousSystemNumber", "AuthenticationProtocol", "Type"]
DESCRIPTIONS = {
    "0": "",
    "50126": "Invalid username or password or Invalid on-premise username or password.",
    "50053": "Account is locked because user tried to sign in too many times with an incorrect user ID or password.",
    "50034": "The user account does not exist in the directory.",
    "50074": "Strong Authentication is required.",
}

signins = []  # dicts keyed by SIGNIN_COLUMNS, plus "_t"


def display_name(user):
    local = user.split("@")[0]
    return " ".join(p.capitalize() for p in local.replace("-", ".").split("."))


def signin(t, user, ip, asn, code="0", app=None, client="Browser", agent=None, city=("", "", ""), interactive=True,
           protocol="none"):
    app = app or APPS[0]
    agent = agent or "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0"
    status = {"errorCode": int(code)}
    if code != "0":
        status["failureReason"] = DESCRIPTIONS[code]
    location = {"city": city[0], "state": city[1], "countryOrRegion": city[2]}
    device = {"deviceId": "", "operatingSystem": "Windows10", "browser": "Edge 131.0.0"}
    signins.append({
        "_t": t,
        "TenantId": TENANT,
        "SourceSystem": "Azure AD",
        "TimeGenerated [UTC]": la_time(t),
        "ResultType": code,
        "ResultDescription": DESCRIPTIONS[code],
        "Identity": display_name(user),
        "AppDisplayName": app[0],
        "ClientAppUsed": client,
        "CreatedDateTime [UTC]": la_time(t),
        "DeviceDetail": json.dumps(device, indent=2),
        "IsInteractive": "true" if interactive else "false",
        "IPAddress": ip,
        "LocationDetails": json.dumps(location, indent=2),
        "ResourceDisplayName": app[1],
        "Status": json.dumps(status, indent=2),
        "UserAgent": agent,
        "UserDisplayName": display_name(user),
        "UserPrincipalName": user,
        "AutonomousSystemNumber": asn,
        "AuthenticationProtocol": protocol,
        "Type": "SigninLogs" if interactive else "AADNonInteractiveUserSignInLogs",
    })


# --- An ordinary day (and the afternoon before): employees at home, the office behind Zscaler.
# Fourteen work from home, one home address each; the rest (m.jones too) at the office, whose sign-ins
# come through Zscaler.
home_of = {}
for i, user in enumerate(EMPLOYEES):
    if user != VPN_USER:
        home_of[user] = HOMES[(i - 2) // 6] if i >= 2 and (i - 2) % 6 == 0 and (i - 2) // 6 < len(HOMES) else None
TYPO_USER = next(u for u in EMPLOYEES if home_of.get(u))  # mistypes twice at home, then signs in
for day_start, day_end in ((ticks(2026, 11, 23, 12, 0), ticks(2026, 11, 23, 18, 0)), (at(7, 30), at(15, 30))):
    for user in EMPLOYEES:
        if user == VPN_USER:
            continue
        for _ in range(1 + rng.below(3)):
            t = day_start + rng.below(day_end - day_start)
            home = home_of[user]
            if home:
                ip, asn, city = home[0], home[1], home[2:]
            else:
                ip, asn = rng.pick(ZSCALER)
                city = ("Seattle", "Washington", "US")
            code = "50074" if rng.chance(0.05) else "0"
            signin(t, user, ip, asn, code, app=rng.pick(APPS), city=city)
            if code == "50074":  # the MFA prompt answered a few seconds later
                signin(t + (20 + rng.below(40)) * TICKS_PER_SEC, user, ip, asn, "0", app=APPS[0], city=city)
        if rng.chance(0.3):  # a background token refresh (non-interactive)
            t = day_start + rng.below(day_end - day_start)
            ip, asn = (home_of[user][0], home_of[user][1]) if home_of[user] else rng.pick(ZSCALER)
            signin(t, user, ip, asn, "0", app=APPS[4], client="Mobile Apps and Desktop clients", interactive=False)
# Two failures at the office egress (mistyped passwords), and the typo user at home.
signin(at(9, 12, 5), EMPLOYEES[5], ZSCALER[0][0], ZSCALER[0][1], "50126", city=("Seattle", "Washington", "US"))
signin(at(13, 40, 51), EMPLOYEES[9], ZSCALER[1][0], ZSCALER[1][1], "50126", city=("Seattle", "Washington", "US"))
typo_home = home_of[TYPO_USER]
for k, code in enumerate(("50126", "50126", "0")):
    signin(at(8, 2, 10 + 25 * k), TYPO_USER, typo_home[0], typo_home[1], code, app=APPS[2], city=typo_home[2:])
# The employee on NordVPN: three sign-ins, all fine.
for k in range(3):
    signin(at(8 + 3 * k, 14, 9), VPN_USER, NORDVPN[0], NORDVPN[1], "0", app=APPS[1], city=("Zurich", "Zurich", "CH"))
# Internal sign-ins (an on-premises app proxy connector): private addresses, never attributed.
for k in range(4):
    signin(at(10 + k, 1, 0), EMPLOYEES[12], "10.20.0.%d" % (31 + k), "", "0", app=APPS[3])

# --- The adversary's spray: one server, 06:02-06:50, every employee once (and a few made-up names),
# legacy authentication (no MFA prompt to stop it).
SPRAY_AGENT = "BAV2ROPC"
targets = [u for u in EMPLOYEES if u != VPN_USER][:86] + ["%s@%s" % (n, DOMAIN) for n in ("admin", "it.support", "ceo", "test", "hr")]
spray_rows = 0
for k, user in enumerate(targets):
    t = at(6, 2, 0) + k * 31 * TICKS_PER_SEC + abs(jitter(5))
    code = "50034" if user.split("@")[0] in ("admin", "it.support", "ceo", "test", "hr") else "50126"
    signin(t, user, ADV["spray"], HETZNER[0], code, app=APPS[0], client="Other clients", agent=SPRAY_AGENT,
           city=("Falkenstein", "Saxony", "DE"), protocol="ropc")
    spray_rows += 1
# ... then m.jones again, five more tries with passwords of her season and year, and the one that works.
for k in range(5):
    signin(at(7, 10, 0) + k * 97 * TICKS_PER_SEC, VICTIM, ADV["spray"], HETZNER[0], "50126", app=APPS[0],
           client="Other clients", agent=SPRAY_AGENT, city=("Falkenstein", "Saxony", "DE"), protocol="ropc")
signin(at(7, 24, 13), VICTIM, ADV["spray"], HETZNER[0], "0", app=APPS[0], client="Other clients", agent=SPRAY_AGENT,
       city=("Falkenstein", "Saxony", "DE"), protocol="ropc")
# Low and slow from six more servers of the range: four users each, 08:00-12:00, never the same user twice.
slow_users = [u for u in EMPLOYEES if u not in (VICTIM, VPN_USER)][20:44]
for a, ip in enumerate(ADV["slow"]):
    for k in range(4):
        t = at(8 + (a * 4 + k) // 6, (a * 4 + k) % 6 * 9 + 3, 17)
        signin(t, slow_users[a * 4 + k], ip, HETZNER[0], "50126", app=APPS[0], client="Other clients", agent=SPRAY_AGENT,
               city=("Falkenstein", "Saxony", "DE"), protocol="ropc")

# --------------------------------------------------------------------------------------------
# DeviceNetworkEvents: 14 workstations; the implant on m.jones's.
DN_COLUMNS = ["Timestamp", "DeviceId", "DeviceName", "ActionType", "RemoteIP", "RemotePort", "RemoteUrl", "LocalIP",
              "LocalPort", "Protocol", "LocalIPType", "RemoteIPType", "InitiatingProcessFileName",
              "InitiatingProcessFolderPath", "InitiatingProcessCommandLine", "InitiatingProcessAccountDomain",
              "InitiatingProcessAccountName", "InitiatingProcessSHA1", "InitiatingProcessId", "ReportId"]
DEVICES = [("fin-ws-07.contoso.local", "10.24.1.37", "mjones")]
for i in range(13):
    DEVICES.append(("%s-ws-%02d.contoso.local" % (("fin", "hr", "eng", "ops")[i % 4], 10 + i), "10.24.%d.%d" % (1 + i % 4, 40 + i),
                    EMPLOYEES[1 + i].split("@")[0].replace(".", "")))
SERVICES = [("outlook.office365.com", ["52.97.146.162", "40.99.10.34"]), ("teams.microsoft.com", ["52.113.194.132"]),
            ("login.microsoftonline.com", ["20.190.151.7", "40.126.31.69"]), ("www.google.com", ["142.250.185.100"]),
            ("github.com", ["140.82.121.4"]), ("www.wikipedia.org", ["185.15.59.224"]), ("zoom.us", ["170.114.52.2"]),
            ("settings-win.data.microsoft.com", ["20.42.73.29"]), ("", ["151.101.1.140", "104.244.42.65"])]
PROCS = [("msedge.exe", r"c:\program files (x86)\microsoft\edge\application",
          '"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService'),
         ("chrome.exe", r"c:\program files\google\chrome\application",
          '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService'),
         ("OUTLOOK.EXE", r"c:\program files\microsoft office\root\office16",
          '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" '),
         ("ms-teams.exe", r"c:\program files\windowsapps\msteams_24295.605.3225.8804_x64__8wekyb3d8bbwe",
          '"C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe" msteams:system-initiated'),
         ("svchost.exe", r"c:\windows\system32", r"C:\Windows\system32\svchost.exe -k NetworkService -p -s Dnscache")]
IMPLANT = ("onedrivesync.exe", r"c:\users\mjones\appdata\roaming\microsoft\onedrivesync",
           '"C:\\Users\\mjones\\AppData\\Roaming\\Microsoft\\OneDriveSync\\onedrivesync.exe" -k 7f3a')

events = []
report_id = [40000]


def event(t, device, action, remote_ip, remote_port, proc, url="", ip_type="Public"):
    name, local_ip, account = device
    report_id[0] += 1 + rng.below(30)
    events.append({
        "_t": t,
        "Timestamp": iso7(t),
        "DeviceId": hashlib.sha1(("device:" + name).encode()).hexdigest(),
        "DeviceName": name,
        "ActionType": action,
        "RemoteIP": remote_ip,
        "RemotePort": str(remote_port),
        "RemoteUrl": url,
        "LocalIP": local_ip,
        "LocalPort": str(49152 + rng.below(16000)),
        "Protocol": "Tcp",
        "LocalIPType": "Private",
        "RemoteIPType": ip_type,
        "InitiatingProcessFileName": proc[0],
        "InitiatingProcessFolderPath": proc[1] + "\\" + proc[0].lower(),
        "InitiatingProcessCommandLine": proc[2],
        "InitiatingProcessAccountDomain": "nt authority" if proc[0] == "svchost.exe" else "contoso",
        "InitiatingProcessAccountName": "network service" if proc[0] == "svchost.exe" else account,
        "InitiatingProcessSHA1": hashlib.sha1(("binary:" + proc[0]).encode()).hexdigest(),
        "InitiatingProcessId": str(1000 + 4 * (int(hashlib.sha1((name + proc[0]).encode()).hexdigest()[:4], 16) % 4000)),
        "ReportId": str(report_id[0]),
    })


for _ in range(700):
    t = at(0) + rng.below(END - at(0))
    device = rng.pick(DEVICES)
    url, ips = rng.pick(SERVICES)
    proc = rng.pick(PROCS)
    action = "ConnectionSuccess" if rng.below(100) >= 5 else "ConnectionFailed"
    event(t, device, action, rng.pick(ips), 443, proc, url)
# The implant: from 09:31 on fin-ws-07, every 4 minutes with ±20 s of jitter, to the rented C2.
implant_times = []
t = at(9, 31, 6)
while t + 20 * TICKS_PER_SEC < END:
    implant_times.append(t + jitter(20))
    t += 4 * TICKS_PER_MIN
for t in implant_times:
    event(t, DEVICES[0], "ConnectionSuccess", ADV["c2"], 443, IMPLANT)
event(END, DEVICES[3], "ConnectionSuccess", "52.97.146.162", 443, PROCS[2], "outlook.office365.com")  # `now`

# --------------------------------------------------------------------------------------------
# Zeek conn.log at the perimeter (local: the DMZ 10.30.0.0/24).
ZEEK_FIELDS = ["ts", "uid", "id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "service", "duration",
               "orig_bytes", "resp_bytes", "conn_state", "local_orig", "local_resp", "missed_bytes", "history",
               "orig_pkts", "orig_ip_bytes", "resp_pkts", "resp_ip_bytes", "tunnel_parents"]
ZEEK_TYPES = ["time", "string", "addr", "port", "addr", "port", "enum", "string", "interval", "count", "count",
              "string", "bool", "bool", "count", "string", "count", "count", "count", "count", "set[string]"]
conns = []


def conn(t, orig, orig_p, resp, resp_p, state, local_orig, service="-", ob=0, rb=0):
    uid = "C" + hashlib.sha1(("%d%s%d" % (t, orig, orig_p)).encode()).hexdigest()[:17]
    ok = state == "SF"
    conns.append({"_t": t, "ts": zeek_ts(t), "uid": uid, "id.orig_h": orig, "id.orig_p": str(orig_p), "id.resp_h": resp,
                  "id.resp_p": str(resp_p), "proto": "tcp", "service": service,
                  "duration": ("%.6f" % (0.2 + rng.below(3000) / 1000.0)) if ok else "-",
                  "orig_bytes": str(ob) if ok else "0", "resp_bytes": str(rb) if ok else "0", "conn_state": state,
                  "local_orig": "T" if local_orig else "F", "local_resp": "F" if local_orig else "T", "missed_bytes": "0",
                  "history": "ShADadFf" if ok else ("Sr" if state == "REJ" else "S"), "orig_pkts": "6" if ok else "1",
                  "orig_ip_bytes": str(320 + ob) if ok else "44", "resp_pkts": "6" if ok else ("1" if state == "REJ" else "0"),
                  "resp_ip_bytes": str(320 + rb) if ok else ("40" if state == "REJ" else "0"), "tunnel_parents": "-"})


DMZ = ["10.30.0.%d" % (10 + i) for i in range(48)]
WEB, SFTP = DMZ[0], DMZ[1]
# The scanner: 01:10-01:58, every DMZ address on five ports; 22 on the SFTP host answers.
scan_ports = [22, 3389, 445, 5900, 8080]
k = 0
for host in DMZ:
    for port in scan_ports:
        t = at(1, 10) + k * 12 * TICKS_PER_SEC + abs(jitter(3))
        state = "SF" if (host == SFTP and port == 22) or (host == WEB and port == 8080) else rng.pick(["REJ", "S0", "REJ"])
        conn(t, ADV["scanner"], 40000 + k % 20000, host, port, state, False, ob=21 if state == "SF" else 0, rb=40 if state == "SF" else 0)
        k += 1
# Visitors to the web server from home ISPs.
for i in range(90):
    home = HOMES[i % len(HOMES)]
    t = at(0) + rng.below(END - at(0) - TICKS_PER_MIN)
    conn(t, home[0], 50000 + rng.below(15000), WEB, 443, "SF", False, "ssl", 900 + rng.below(2000), 30000 + rng.below(90000))
# The partner's SFTP job on AWS: every two hours.
for h in range(0, 16, 2):
    conn(at(h, 5, 11), PARTNER_AWS, 51000 + h, SFTP, 22, "SF", False, "ssh", 5200, 880000)
# Outbound from the DMZ: DNS and updates (a few an hour; no beacon).
for i in range(120):
    t = at(0) + rng.below(END - at(0) - TICKS_PER_MIN)
    conn(t, rng.pick(DMZ[:4]), 30000 + rng.below(30000), rng.pick(["1.1.1.1", "8.8.8.8"]), 53, "SF", True, "dns", 40, 90)

# --------------------------------------------------------------------------------------------
# Threat intelligence: a blocklist saw the scanner.
TI_COLUMNS = ["TimeGenerated", "IndicatorId", "ThreatType", "Description", "ConfidenceScore", "Active",
              "ExpirationDateTime", "NetworkIP", "TrafficLightProtocolLevel", "SourceSystem"]
intel = [{"TimeGenerated": iso7(ticks(2026, 11, 22, 3, 0)), "IndicatorId": "indicator--5e0b3c1a-8d2f-4c47-9a61-2f3d4e5a6b7c",
          "ThreatType": "Scanner", "Description": "Mass scanning of SSH and RDP (honeypot network)", "ConfidenceScore": "70",
          "Active": "True", "ExpirationDateTime": iso7(ticks(2027, 2, 20)), "NetworkIP": ADV["scanner"],
          "TrafficLightProtocolLevel": "Green", "SourceSystem": "Threat Intelligence Platforms"}]

# --------------------------------------------------------------------------------------------
# What each detection must report, counted from the rows written (not from the C++ core).


def json_time(t):
    """A sign-in time as the rows write it: the export keeps milliseconds; 7 digits when there is a fraction."""
    t = t // 10000 * 10000
    return iso_seconds(t) if t % TICKS_PER_SEC == 0 else iso7(t)


def expected_rows():
    now = END
    cutoff = now - TICKS_PER_DAY
    inside = [s for s in signins if s["_t"] > cutoff]
    by_ip = {}
    for s in inside:
        by_ip.setdefault(s["IPAddress"], []).append(s)
    public_ips = [ip for ip in by_ip if not ip.startswith("10.")]

    def signin_row(ip):
        rows = by_ip[ip]
        users = {}
        for s in rows:
            users.setdefault(s["UserPrincipalName"].lower(), []).append(s)
        fails = sum(1 for s in rows if s["ResultType"] not in ("0", "50074"))
        ok = sum(1 for s in rows if s["ResultType"] == "0")
        return {"RemoteIP": ip, "UserCount": len(users), "FailureCount": fails, "SuccessCount": ok,
                "FirstSeen": json_time(min(s["_t"] for s in rows)), "LastSeen": json_time(max(s["_t"] for s in rows)),
                "RemoteASN": int(rows[0]["AutonomousSystemNumber"])}

    spray = signin_row(ADV["spray"])
    spray.update({"SuccessUsers": [VICTIM], "HostingCategory": "vps", "minScore": 80, "rank": 0,
                  "reason": "1 success: %s after 6 failures" % VICTIM})
    slow = [dict(signin_row(ip), maxScore=39, HostingCategory="vps") for ip in ADV["slow"]]
    vpn = dict(signin_row(NORDVPN[0]), HostingCategory="vpn", minScore=20, maxScore=50)
    egress = [dict(signin_row(ip), HostingCategory="proxy", maxScore=15) for ip, _ in ZSCALER]
    homes = [dict(signin_row(h[0]), maxScore=15) for h in HOMES if h[0] in by_ip]
    # The beacon rule (seed): the implant's hours with at least 12 connections after the cutoff.
    per_hour = {}
    for t in implant_times:
        if t > cutoff:
            per_hour[t // TICKS_PER_HOUR] = per_hour.get(t // TICKS_PER_HOUR, 0) + 1
    beacon = [{"DeviceName": DEVICES[0][0], "RemoteIP": ADV["c2"], "InitiatingProcessFileName": IMPLANT[0],
               "Timestamp": iso_seconds(h * TICKS_PER_HOUR), "ConnectionCount": n}
              for h, n in sorted(per_hour.items()) if n >= 12]
    scan = [c for c in conns if c["id.orig_h"] == ADV["scanner"]]
    scanner = {"RemoteIP": ADV["scanner"], "ConnectionCount": len(scan),
               "RefusedCount": sum(1 for c in scan if c["conn_state"] != "SF"), "TargetCount": len({c["id.resp_h"] for c in scan}),
               "UniqueTargetPorts": len(scan_ports), "IsTIMatch": True, "HostingCategory": "vps", "rank": 0, "minScore": 80}
    partner = {"RemoteIP": PARTNER_AWS, "ConnectionCount": sum(1 for c in conns if c["id.orig_h"] == PARTNER_AWS),
               "RefusedCount": 0, "TargetCount": 1, "HostingCategory": "cloud", "maxScore": 45}
    adversary_ips = sorted({ADV["spray"], ADV["c2"], ADV["scanner"], *ADV["slow"]}, key=lambda a: tuple(int(x) for x in a.split(".")))
    network = {"Network": ADV_NET, "RemoteASN": int(HETZNER[0]), "HostingCategory": "vps", "HostingProvider": "Hetzner",
               "Detections": ["beacon", "inbound", "signin"], "IPCount": len(adversary_ips),
               "BeaconRows": len(beacon), "BeaconDevices": 1, "InboundRows": 1, "InboundConnections": len(scan),
               "SignInRows": 1 + len(ADV["slow"]),
               "SignInUsers": len({s["UserPrincipalName"].lower() for ip in [ADV["spray"]] + ADV["slow"] for s in by_ip[ip]}),
               "SignInFailures": spray["FailureCount"] + sum(r["FailureCount"] for r in slow), "SignInSuccesses": 1,
               "rank": 0, "minScore": 85, "reason": "3 traces: beacon, inbound, signin"}
    benign_nets = [{"Network": n, "maxScore": 25} for n in
                   sorted({".".join(ip.split(".")[:3]) + ".0/24" for ip in [NORDVPN[0]] + [z[0] for z in ZSCALER] + [h[0] for h in HOMES]})]
    return {
        "now": iso7(now),
        "files": ["SigninLogs.csv", "DeviceNetworkEvents.csv", "conn.log", "ThreatIntelligenceIndicator.csv"],
        "detections": {
            "signin": {"rowCount": len(public_ips), "rows": [spray] + slow + [vpn] + egress + homes},
            "beacon": {"rowCount": len(beacon), "rows": beacon},
            "inbound": {"rowCount": len({c["id.orig_h"] for c in conns if c["local_orig"] == "F"}), "rows": [scanner, partner]},
            "infrastructure": {"rows": [network] + benign_nets},
        },
    }


# --------------------------------------------------------------------------------------------
# Writing


def write_csv(path, columns, records, bom=False, crlf=False):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(columns)
    for r in records:
        w.writerow([r.get(c, "") for c in columns])
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        f.write(buf.getvalue())


def write_zeek(path, records):
    lines = ["#separator \\x09", "#set_separator\t,", "#empty_field\t(empty)", "#unset_field\t-", "#path\tconn",
             "#open\t2026-11-24-00-00-00", "#fields\t" + "\t".join(ZEEK_FIELDS), "#types\t" + "\t".join(ZEEK_TYPES)]
    for r in records:
        lines.append("\t".join(r[f] for f in ZEEK_FIELDS))
    lines.append("#close\t2026-11-24-16-00-00")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")


FILES = ["SigninLogs.csv", "DeviceNetworkEvents.csv", "conn.log", "ThreatIntelligenceIndicator.csv", "expected.json"]


def main(out_dir=OUT):
    os.makedirs(out_dir, exist_ok=True)
    # The portal and Log Analytics list the newest first; Zeek writes in time order.
    write_csv(os.path.join(out_dir, "SigninLogs.csv"), SIGNIN_COLUMNS, sorted(signins, key=lambda r: -r["_t"]), bom=True, crlf=True)
    write_csv(os.path.join(out_dir, "DeviceNetworkEvents.csv"), DN_COLUMNS, sorted(events, key=lambda r: (-r["_t"], int(r["ReportId"]))))
    write_zeek(os.path.join(out_dir, "conn.log"), sorted(conns, key=lambda r: r["_t"]))
    write_csv(os.path.join(out_dir, "ThreatIntelligenceIndicator.csv"), TI_COLUMNS, intel)
    expected = expected_rows()
    # The story must hold before anything is written as expected.
    det = expected["detections"]
    assert det["signin"]["rows"][0]["SuccessCount"] == 1 and det["signin"]["rows"][0]["UserCount"] == 91, det["signin"]["rows"][0]
    assert all(r["UserCount"] == 4 and r["SuccessCount"] == 0 for r in det["signin"]["rows"][1:7])
    assert len(det["beacon"]["rows"]) == 6 and all(r["ConnectionCount"] >= 12 for r in det["beacon"]["rows"])
    assert max(e["_t"] for e in events) == END
    assert all(s["_t"] < END for s in signins) and all(c["_t"] < END for c in conns)
    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(expected, f, indent=1, sort_keys=False)
        f.write("\n")
    for name in FILES:
        size = os.path.getsize(os.path.join(out_dir, name))
        assert size < 1_000_000, (name, size)


def check():
    import filecmp
    import tempfile
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        main(tmp)
        for name in FILES:
            if not os.path.exists(os.path.join(OUT, name)) or not filecmp.cmp(os.path.join(tmp, name), os.path.join(OUT, name), shallow=False):
                print("scenario: %s differs from what make-scenario.py writes; run python3 examples/make-scenario.py" % name)
                failed = True
    if not failed:
        print("scenario: the committed files are what make-scenario.py writes")
    return 1 if failed else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args == ["--check"]:
        sys.exit(check())
    if args:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    main()
