#!/usr/bin/env python3
"""Writes vpshunt's bundled example exports, deterministically.

    python3 examples/make-example.py          # rewrites the files below, next to this script
    python3 examples/make-example.py --check [--cli build/vpshunt] [--cli "node W/vpshunt.mjs"]
        # regenerates into a temporary folder and fails unless the committed files are identical; with
        # --cli, also runs that command on the example and fails unless its jsonl rows match expected.json

  DeviceNetworkEvents.csv          a Defender advanced-hunting CSV export (~26 h, a few thousand rows)
  ThreatIntelligenceIndicator.csv  a Sentinel ThreatIntelligenceIndicator CSV export
  expected.json                    what the seed rule must output for them (computed here by a small
                                   reference implementation of the rule, independent of the C++ core)

The planted beacons and decoys are described in README.md (same folder). The script checks that the
reference rule reports exactly the planted rows, so a change here that breaks the story fails loudly.
Only the standard library is used; the output does not depend on the Python version.
"""
import csv
import hashlib
import io
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

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


def iso7(t):
    """Defender's form: 2026-11-24T14:37:28.2012261Z (always 7 fraction digits)."""
    days, rem = divmod(t, TICKS_PER_DAY)
    y, mo, d = civil_from_days(days)
    secs, frac = divmod(rem, TICKS_PER_SEC)
    return "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ" % (y, mo, d, secs // 3600, secs // 60 % 60, secs % 60, frac)


def iso_seconds(t):
    days, rem = divmod(t, TICKS_PER_DAY)
    y, mo, d = civil_from_days(days)
    secs = rem // TICKS_PER_SEC
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, mo, d, secs // 3600, secs // 60 % 60, secs % 60)


class Rng:
    """xorshift64*: tiny, fast and the same everywhere (no dependence on Python's random module)."""

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


# --------------------------------------------------------------------------------------------
# The time frame. `now` defaults to the latest event time; the last row of the export is that event.
END = ticks(2026, 11, 24, 14, 37, 28, 2012261)   # latest event = now
START = ticks(2026, 11, 23, 12, 30)              # ~26.1 h of data
CUTOFF = END - TICKS_PER_DAY                     # rows must be strictly later than this
H = lambda day, hour: ticks(2026, 11, day, hour)  # start of a UTC hour bin

COLUMNS = ["Timestamp", "DeviceId", "DeviceName", "ActionType", "RemoteIP", "RemotePort", "RemoteUrl",
           "LocalIP", "LocalPort", "Protocol", "LocalIPType", "RemoteIPType", "InitiatingProcessFileName",
           "InitiatingProcessFolderPath", "InitiatingProcessCommandLine", "InitiatingProcessAccountDomain",
           "InitiatingProcessAccountName", "InitiatingProcessSHA1", "InitiatingProcessId", "ReportId",
           "AdditionalFields"]

rng = Rng(20261124)

# Devices: name -> (local IP, user). DeviceId is a 40-hex id, as Defender writes it.
DEVICES = {}
for i, (dept, n) in enumerate([("fin-ws", 6), ("hr-ws", 4), ("eng-ws", 8), ("sales-lt", 5), ("it-adm", 2)]):
    for k in range(n):
        name = "%s-%03d.contoso.local" % (dept, 10 + 7 * k + i)
        DEVICES[name] = ("10.%d.%d.%d" % (20 + i, 1 + k, 30 + 5 * k + i), None)
SERVERS = ["srv-file-01.contoso.local", "srv-app-02.contoso.local", "srv-sql-01.contoso.local"]
for i, name in enumerate(SERVERS):
    DEVICES[name] = ("10.0.10.%d" % (11 + i), None)
USERS = ["jdoe", "amartin", "kchen", "rpatel", "lgarcia", "mwilson", "snguyen", "tbrown", "ekowalski",
         "ohassan", "pmuller", "yito", "bsantos", "cdubois", "fjohansson", "gkim", "hmorales", "iward",
         "jlindqvist", "knovak", "lrossi", "mokafor", "nschmidt", "osullivan", "admin.pj"]
for i, name in enumerate(sorted(DEVICES)):
    ip, _ = DEVICES[name]
    DEVICES[name] = (ip, USERS[i % len(USERS)])


def device_id(name):
    return hashlib.sha1(("device:" + name).encode()).hexdigest()


def sha1_of(path):
    return hashlib.sha1(("binary:" + path.lower()).encode()).hexdigest()


# Public destinations for ordinary traffic: (RemoteUrl, [IPs]); real service ranges, so that the ASN
# view has something to say about them.
SERVICES = [
    ("www.bing.com", ["13.107.21.200", "204.79.197.200"]),
    ("outlook.office365.com", ["52.97.146.162", "40.99.10.34", "52.98.207.178"]),
    ("teams.microsoft.com", ["52.113.194.132", "52.114.128.75"]),
    ("login.microsoftonline.com", ["20.190.151.7", "40.126.31.69", "20.190.160.20"]),
    ("www.google.com", ["142.250.185.100", "142.250.74.36", "172.217.16.196"]),
    ("fonts.gstatic.com", ["142.250.181.227"]),
    ("github.com", ["140.82.121.4", "140.82.121.3"]),
    ("objects.githubusercontent.com", ["185.199.108.133", "185.199.111.133"]),
    ("cdn.jsdelivr.net", ["104.16.85.20", "104.16.86.20"]),
    ("www.wikipedia.org", ["185.15.59.224"]),
    ("slack.com", ["3.121.71.150", "18.195.242.160"]),
    ("zoom.us", ["170.114.52.2", "3.7.35.17"]),
    ("onedrive.live.com", ["13.107.42.13", "13.107.42.12"]),
    ("settings-win.data.microsoft.com", ["20.42.73.29", "52.168.117.169"]),
    ("eu-v20.events.data.microsoft.com", ["20.50.201.200", "20.50.201.195"]),
    ("ctldl.windowsupdate.com", ["23.48.165.33", "2.16.186.8"]),
    ("dl.delivery.mp.microsoft.com", ["152.199.19.161"]),
    ("time.windows.com", ["168.61.215.74"]),
    ("api.dropboxapi.com", ["162.125.6.19"]),
    ("www.linkedin.com", ["13.107.42.14"]),
    ("news.ycombinator.com", ["209.216.230.207"]),
    ("", ["151.101.1.140", "151.101.65.140", "93.184.215.14", "104.244.42.65", "31.13.92.36"]),
]

BROWSERS = [
    ("chrome.exe", r"C:\Program Files\Google\Chrome\Application",
     '"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=2212 --field-trial-handle=1948,i,1123581321345589144,8979323846264338327,262144 /prefetch:3'),
    ("msedge.exe", r"C:\Program Files (x86)\Microsoft\Edge\Application",
     '"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle=2480 /prefetch:3'),
    ("firefox.exe", r"C:\Program Files\Mozilla Firefox",
     '"C:\\Program Files\\Mozilla Firefox\\firefox.exe" -contentproc -childID 7 -isForBrowser -prefsLen 31254 -prefMapSize 244787 -parentBuildID 20261110094233 -appDir "C:\\Program Files\\Mozilla Firefox\\browser" 6120 true tab'),
]
APPS = [
    ("ms-teams.exe", r"C:\Program Files\WindowsApps\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe",
     '"C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe" msteams:system-initiated'),
    ("OneDrive.exe", r"C:\Users\{user}\AppData\Local\Microsoft\OneDrive",
     '"C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe" /background'),
    ("OUTLOOK.EXE", r"C:\Program Files\Microsoft Office\root\Office16",
     '"C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE" '),
    ("slack.exe", r"C:\Users\{user}\AppData\Local\slack\app-4.41.105",
     '"C:\\Users\\{user}\\AppData\\Local\\slack\\app-4.41.105\\slack.exe" --process-start-args --startup'),
    ("Zoom.exe", r"C:\Users\{user}\AppData\Roaming\Zoom\bin",
     '"C:\\Users\\{user}\\AppData\\Roaming\\Zoom\\bin\\Zoom.exe" "--url=zoommtg://zoom.us/join?action=join&confno=81234567890"'),
    ("git-remote-https.exe", r"C:\Program Files\Git\mingw64\libexec\git-core",
     '"C:\\Program Files\\Git\\mingw64\\libexec\\git-core\\git-remote-https.exe" origin https://github.com/contoso/payments-api.git'),
    ("powershell.exe", r"C:\Windows\System32\WindowsPowerShell\v1.0",
     'powershell.exe -NoProfile -ExecutionPolicy Bypass -File "C:\\ProgramData\\Contoso\\inventory.ps1"'),
]
SYSTEM = [
    ("svchost.exe", r"C:\Windows\System32", r"C:\Windows\system32\svchost.exe -k NetworkService -p -s Dnscache", "nt authority", "network service"),
    ("svchost.exe", r"C:\Windows\System32", r"C:\Windows\System32\svchost.exe -k wusvcs -p -s WaaSMedicSvc", "nt authority", "system"),
    ("MsSense.exe", r"C:\Program Files\Windows Defender Advanced Threat Protection", '"MsSense.exe"', "nt authority", "system"),
    ("SenseCncProxy.exe", r"C:\Program Files\Windows Defender Advanced Threat Protection", '"SenseCncProxy.exe"', "nt authority", "system"),
    ("MsMpEng.exe", r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.24090.11-0", '"MsMpEng.exe"', "nt authority", "system"),
    ("lsass.exe", r"C:\Windows\System32", r"C:\Windows\system32\lsass.exe", "nt authority", "system"),
    ("System", "", "", "nt authority", "system"),
]

rows = []          # dicts keyed by COLUMNS, plus "_t" (ticks)
report_id = [21000]
pids = {}


def pid_for(key):
    if key not in pids:
        pids[key] = 1000 + 4 * rng.below(4000)
    return pids[key]


def add(t, device, action, remote_ip, remote_port, remote_ip_type, proc, folder, cmdline, domain, account,
        remote_url="", protocol="Tcp", additional=""):
    assert START <= t <= END, iso7(t)
    local_ip, _ = DEVICES[device]
    report_id[0] += 1 + rng.below(40)
    inbound = action in ("InboundConnectionAccepted", "ListeningConnectionCreated")
    local_port = (rng.pick([443, 3389, 445, 8080]) if inbound else 49152 + rng.below(16000))
    if action == "ListeningConnectionCreated":
        remote_ip, remote_port, remote_ip_type, remote_url = "", "", "", ""
    rows.append({
        "_t": t,
        "Timestamp": iso7(t),
        "DeviceId": device_id(device),
        "DeviceName": device,
        "ActionType": action,
        "RemoteIP": remote_ip,
        "RemotePort": str(remote_port),
        "RemoteUrl": remote_url,
        "LocalIP": local_ip,
        "LocalPort": str(local_port),
        "Protocol": protocol,
        "LocalIPType": "Private",
        "RemoteIPType": remote_ip_type,
        "InitiatingProcessFileName": proc,
        "InitiatingProcessFolderPath": (folder + "\\" + proc.lower()).lower() if folder else "",
        "InitiatingProcessCommandLine": cmdline,
        "InitiatingProcessAccountDomain": domain,
        "InitiatingProcessAccountName": account,
        "InitiatingProcessSHA1": sha1_of(folder + "\\" + proc) if folder else "",
        "InitiatingProcessId": str(pid_for((device, proc, cmdline))) if proc else "",
        "ReportId": str(report_id[0]),
        "AdditionalFields": additional,
    })


def jitter(seconds):
    """A random offset in [-seconds, +seconds], in ticks, with 7-digit fractions."""
    return rng.below(2 * seconds * TICKS_PER_SEC + 1) - seconds * TICKS_PER_SEC


# --------------------------------------------------------------------------------------------
# Background: ordinary traffic, spread thinly (no flow comes near 12 connections in an hour).
span = END - START
for _ in range(2600):
    t = START + rng.below(span)
    device = rng.pick(sorted(DEVICES))
    _, user = DEVICES[device]
    r = rng.below(100)
    url, ips = rng.pick(SERVICES)
    ip = rng.pick(ips)
    port, ip_type, action, additional = 443, "Public", "ConnectionSuccess", ""
    if r < 45:
        proc, folder, cmd = rng.pick(BROWSERS)
        domain, account = "contoso", user
    elif r < 70:
        proc, folder, cmd = rng.pick(APPS)
        folder, cmd = folder.replace("{user}", user), cmd.replace("{user}", user)
        domain, account = "contoso", user
    elif r < 85:
        proc, folder, cmd, domain, account = rng.pick(SYSTEM)
        if rng.chance(0.4):       # domain controller and file server traffic
            ip, ip_type, url = rng.pick(["10.0.0.10", "10.0.0.11", "10.0.10.11"]), "Private", ""
            port = rng.pick([389, 445, 88, 135, 53])
    else:
        proc, folder, cmd = rng.pick(APPS + BROWSERS)
        folder, cmd = folder.replace("{user}", user), cmd.replace("{user}", user)
        domain, account = "contoso", user
        if rng.chance(0.5):
            ip, ip_type, url, port = "10.0.10.%d" % (11 + rng.below(3)), "Private", "", rng.pick([443, 445, 1433, 8080])
    a = rng.below(100)
    if a < 6:
        action = "ConnectionFailed"
    elif a < 9:
        action = "ConnectionAttempt"
    elif a < 12:
        action, ip_type = "InboundConnectionAccepted", "Private"
        ip, url = "10.%d.%d.%d" % (20 + rng.below(5), 1 + rng.below(8), 2 + rng.below(250)), ""
        port = 49152 + rng.below(16000)
    elif a < 13:
        action = "ListeningConnectionCreated"
    elif a < 19 and ip_type == "Public":
        # Defender leaves RemoteIPType empty on *Inspected rows
        action, ip_type = rng.pick(["SslConnectionInspected", "HttpConnectionInspected", "NetworkSignatureInspected"]), ""
        if action == "SslConnectionInspected":
            additional = json.dumps({"direction": "Out", "server_name": url or "unknown", "established": True},
                                    separators=(",", ":"))
        elif action == "HttpConnectionInspected":
            additional = json.dumps({"direction": "Out", "host": url or ip, "method": "GET", "uri": "/",
                                     "status_code": "200", "user_agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"},
                                    separators=(",", ":"))
        else:
            additional = json.dumps({"SignatureName": "TLS_Client", "SignatureMatchedContent": "",
                                     "SamplePacketContent": ""}, separators=(",", ":"))
    if a >= 90 and ip_type == "Public" and rng.chance(0.3):
        port = rng.pick([80, 8443])
    add(t, device, action, ip, port, ip_type, proc, folder, cmd, domain, account, remote_url=url, additional=additional)

# Some loopback chatter (a local proxy), and IPv6 browsing.
for _ in range(60):
    device = rng.pick(sorted(DEVICES))
    _, user = DEVICES[device]
    add(START + rng.below(span), device, "ConnectionSuccess", "127.0.0.1", 9222, "Loopback",
        "node.exe", r"C:\Program Files\nodejs", '"C:\\Program Files\\nodejs\\node.exe" "C:\\Tools\\proxy\\index.js" --port 9222',
        "contoso", user)
for _ in range(40):
    device = rng.pick(sorted(DEVICES))
    _, user = DEVICES[device]
    proc, folder, cmd = BROWSERS[0]
    add(START + rng.below(span), device, "ConnectionSuccess", rng.pick(["2a00:1450:4001:82b::2004", "2620:1ec:c11::200"]),
        443, "Public", proc, folder, cmd, "contoso", user, remote_url="www.google.com")


# --------------------------------------------------------------------------------------------
# Planted beacons. Each: a label, the flow, and the times. expected[] lists what the rule must report.


def in_bin(day, hour, count, first_min=1, jitter_sec=20):
    """`count` times spread evenly over one UTC hour bin, never leaving it."""
    step = (58 * 60) // count
    return [H(day, hour) + (first_min * 60 + i * step) * TICKS_PER_SEC + abs(jitter(min(jitter_sec, step // 3)))
            for i in range(count)]


def beacon(times, device, ip, port, proc, folder, cmd, domain="contoso", account=None, action="ConnectionSuccess",
           ip_type="Public", url="", ports=None, actions=None):
    _, user = DEVICES[device]
    for i, t in enumerate(times):
        add(t, device, actions[i] if actions else action, ip, ports[i] if ports else port, ip_type, proc, folder, cmd,
            domain, account or user, remote_url=url)


# (a) updater.exe every 5 minutes for 8 hours to a TI-listed IP (latest indicator active) -> 12/h, TI -> 80
IP_A = "159.65.88.214"
A_CMD = '"C:\\Users\\kchen\\AppData\\Local\\Microsoft\\updater.exe" --svc'
for hour in range(2, 10):
    beacon(in_bin(24, hour, 12), "fin-ws-024.contoso.local", IP_A, 443, "updater.exe",
           r"C:\Users\kchen\AppData\Local\Microsoft", A_CMD, account="kchen")

# (b) wscsvc-helper.exe about every 2 minutes, one port, no TI -> 30/h -> 60 (3 hours; two
#     NetworkSignatureInspected rows with RemoteIPType Public count as connections too)
IP_B = "45.77.143.28"
B_CMD = r"C:\ProgramData\WscHelper\wscsvc-helper.exe -k netsvcs -p 8080"
for n, hour in enumerate([18, 19, 20]):
    times = in_bin(23, hour, 30, first_min=0, jitter_sec=10)
    acts = ["ConnectionSuccess"] * 30
    if n == 1:
        acts[7] = acts[21] = "NetworkSignatureInspected"
    beacon(times, "eng-ws-012.contoso.local", IP_B, 8080, "wscsvc-helper.exe", r"C:\ProgramData\WscHelper", B_CMD,
           account="system", domain="nt authority", actions=acts)

# (c) syncagent.exe ~22 per hour over two ports (443, 8443), no TI -> 45 (2 hours)
IP_C = "172.105.71.9"
C_CMD = '"C:\\Users\\rpatel\\AppData\\Roaming\\SyncAgent\\syncagent.exe" --profile "Default" --interval=160'
for hour, count in [(6, 22), (7, 23)]:
    beacon(in_bin(24, hour, count), "hr-ws-011.contoso.local", IP_C, None, "syncagent.exe",
           r"C:\Users\rpatel\AppData\Roaming\SyncAgent", C_CMD, account="rpatel",
           ports=[443 if i % 3 else 8443 for i in range(count)])

# (d) helper.exe: exactly 12 in one hour (-> 30) and exactly 11 in another (not reported). Its command
#     line carries an HTML payload: the page must show it as text.
IP_D = "5.161.109.40"
D_CMD = '"C:\\ProgramData\\svc\\helper.exe" --title "<img src=x onerror=alert(1)>" --beacon'
beacon(in_bin(24, 11, 12), "sales-lt-013.contoso.local", IP_D, 443, "helper.exe", r"C:\ProgramData\svc", D_CMD, account="lgarcia")
beacon(in_bin(24, 12, 11), "sales-lt-013.contoso.local", IP_D, 443, "helper.exe", r"C:\ProgramData\svc", D_CMD, account="lgarcia")

# (e) rundll32 side-loaded DLL, 24 per hour for 2 hours to a TI-listed C2 -> 95
IP_E = "51.79.163.250"
E_CMD = r'"C:\Windows\System32\rundll32.exe" C:\Users\Public\Libraries\msvcp_win.dll,DllRegisterServer'
for hour, count in [(12, 24), (13, 25)]:
    beacon(in_bin(24, hour, count), "it-adm-014.contoso.local", IP_E, 443, "rundll32.exe", r"C:\Windows\System32",
           E_CMD, account="admin.pj")

# (f) Lookback edge: wupd.exe beacons 30 times in the 13:00 hour of day one (before the 24 h lookback,
#     not reported), then in the 14:00 hour: 9 before the cutoff, 1 exactly at the cutoff (excluded: the
#     comparison is strict) and 11 after -> 11 counted -> not reported.
IP_F = "139.59.20.77"
F_CMD = r"C:\Users\Public\wupd.exe /silent"
f_times = in_bin(23, 13, 30)
f_times += [H(23, 14) + (60 + i * 180) * TICKS_PER_SEC for i in range(9)]           # 14:01 .. 14:25
f_times += [CUTOFF]                                                                   # 14:37:28.2012261
f_times += [CUTOFF + (60 + i * 120) * TICKS_PER_SEC for i in range(11)]             # 14:38 .. 14:58
beacon(f_times, "eng-ws-033.contoso.local", IP_F, 443, "wupd.exe", r"C:\Users\Public", F_CMD, account="mwilson")

# (g) An IP whose latest indicator is inactive: 15 in one hour -> reported, IsTIMatch false -> 30
IP_G = "207.148.30.64"
G_CMD = r"C:\Users\Public\Music\audiodg64.exe --quiet"
beacon(in_bin(24, 4, 15), "fin-ws-017.contoso.local", IP_G, 443, "audiodg64.exe", r"C:\Users\Public\Music", G_CMD, account="jdoe")

# (h) An IP whose only indicator is 8 days old: 14 in one hour -> reported, IsTIMatch false -> 30
IP_H = "66.42.98.17"
H_CMD = '"C:\\Program Files\\Remote Utilities\\rutserv.exe" -service'
beacon(in_bin(24, 5, 14), "srv-app-02.contoso.local", IP_H, 5655, "rutserv.exe", r"C:\Program Files\Remote Utilities",
       H_CMD, account="system", domain="nt authority")

# (i) A command line that is a spreadsheet formula: 13 in one hour -> 30 (CSV export must guard it)
IP_I = "188.166.4.120"
I_CMD = "=cmd|' /C calc'!A0"
beacon(in_bin(24, 9, 13), "hr-ws-025.contoso.local", IP_I, 80, "excelhelper.exe", r"C:\Users\Public", I_CMD, account="ohassan")

# (j) IPv6 C2, listed in the TI file in uncompressed form: 14 in one hour -> TI -> 80
IP_J = "2a03:b0c0:3:d0::1a2f"
IP_J_TI = "2a03:b0c0:0003:00d0:0000:0000:0000:1a2f"
J_CMD = '"C:\\Users\\snguyen\\AppData\\Local\\Temp\\tmp5D1A.exe" -c 2a03:b0c0:3:d0::1a2f'
beacon(in_bin(24, 7, 14), "eng-ws-019.contoso.local", IP_J, 443, "tmp5D1A.exe", r"C:\Users\snguyen\AppData\Local\Temp",
       J_CMD, account="snguyen")

# Decoys the rule must drop -----------------------------------------------------------------------
# chrome.exe polling a push service every 2 minutes for 6 hours (browser)
for hour in range(8, 14):
    beacon(in_bin(24, hour, 30), "fin-ws-010.contoso.local", "142.250.184.202", 5228, BROWSERS[0][0], BROWSERS[0][1],
           BROWSERS[0][2], url="mtalk.google.com")
# Edge, with the file name in odd case ("MsEdge.EXE"): still a browser (the lists are case-insensitive)
for hour in range(15, 19):
    beacon(in_bin(23, hour, 20), "sales-lt-020.contoso.local", "13.107.6.158", 443, "MsEdge.EXE", BROWSERS[1][1],
           BROWSERS[1][2], url="edge.microsoft.com")
# svchost.exe (system) checking in 20 times an hour
for hour in range(0, 6):
    beacon(in_bin(24, hour, 20), "eng-ws-026.contoso.local", "20.72.205.209", 443, "svchost.exe", r"C:\Windows\System32",
           r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv", domain="nt authority", account="system",
           url="fe3cr.delivery.mp.microsoft.com")
# A private destination (internal backup agent) and a loopback one, 25 an hour
for hour in (20, 21):
    beacon(in_bin(23, hour, 25), "srv-sql-01.contoso.local", "10.0.10.11", 10000, "bkagent.exe", r"C:\Program Files\BackupAgent",
           '"C:\\Program Files\\BackupAgent\\bkagent.exe" --daemon', account="svc_backup", ip_type="Private")
    beacon(in_bin(23, hour, 25), "eng-ws-012.contoso.local", "127.0.0.1", 5939, "devtunnel.exe", r"C:\Users\Public",
           r"C:\Users\Public\devtunnel.exe host -p 5939", account="kchen", ip_type="Loopback")
# ConnectionFailed beacon (C2 unreachable) and InboundConnectionAccepted (inbound RDP), 25 an hour
for hour in (1, 2):
    beacon(in_bin(24, hour, 25), "hr-ws-018.contoso.local", "95.179.222.5", 443, "svcupd.exe", r"C:\Users\Public",
           r"C:\Users\Public\svcupd.exe -r", account="tbrown", action="ConnectionFailed")
    beacon(in_bin(24, hour, 25), "srv-file-01.contoso.local", "194.26.29.113", 5900, "tvnserver.exe",
           r"C:\Program Files\TightVNC", '"C:\\Program Files\\TightVNC\\tvnserver.exe" -service', account="system",
           domain="nt authority", action="InboundConnectionAccepted")

# The last event: `now`
add(END, "it-adm-021.contoso.local", "ConnectionSuccess", "52.97.146.162", 443, "Public", "OUTLOOK.EXE",
    APPS[2][1], APPS[2][2], "contoso", DEVICES["it-adm-021.contoso.local"][1], remote_url="outlook.office365.com")

# --------------------------------------------------------------------------------------------
# Threat intelligence: TimeGenerated, IndicatorId, ThreatType, Description, ConfidenceScore, Active,
# ExpirationDateTime, NetworkIP, NetworkSourceIP, NetworkDestinationIP, NetworkCidrBlock, DomainName, Url,
# TrafficLightProtocolLevel, SourceSystem
TI_COLUMNS = ["TimeGenerated", "IndicatorId", "ThreatType", "Description", "ConfidenceScore", "Active",
              "ExpirationDateTime", "NetworkIP", "NetworkSourceIP", "NetworkDestinationIP", "NetworkCidrBlock",
              "DomainName", "Url", "TrafficLightProtocolLevel", "SourceSystem"]
intel = []


def indicator(age, threat, desc, conf, active, ip="", dst="", cidr="", domain="", url="", tlp="Amber",
              source="Microsoft Defender Threat Intelligence"):
    tg = END - age
    h = hashlib.sha1(("%s|%s|%s|%s|%s|%d" % (ip, dst, cidr, domain, url, tg)).encode()).hexdigest()
    iid = "indicator--%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])
    intel.append({"_t": tg, "TimeGenerated": iso7(tg), "IndicatorId": iid, "ThreatType": threat, "Description": desc,
                  "ConfidenceScore": str(conf), "Active": "True" if active else "False",
                  "ExpirationDateTime": iso7(tg + 90 * TICKS_PER_DAY), "NetworkIP": ip, "NetworkSourceIP": "",
                  "NetworkDestinationIP": dst, "NetworkCidrBlock": cidr, "DomainName": domain, "Url": url,
                  "TrafficLightProtocolLevel": tlp, "SourceSystem": source})


D = TICKS_PER_DAY
# (a): an old inactive indicator, then a newer active one: the latest wins -> match
indicator(5 * D + 3 * TICKS_PER_HOUR, "C2", "Suspected C2 server (low confidence, retired)", 40, False, ip=IP_A)
indicator(2 * D + 7 * TICKS_PER_HOUR, "C2", "Cobalt Strike team server on rented VPS", 85, True, ip=IP_A)
# (e): two active indicators; the latest gives ThreatType, Description, ConfidenceScore
indicator(6 * D, "MaliciousUrl", "Phishing kit host", 50, True, ip=IP_E)
indicator(1 * D + 2 * TICKS_PER_HOUR, "C2", "Sliver C2 on OVH VPS, seen in intrusion set X", 90, True, ip=IP_E, tlp="Red")
# (g): active, then deactivated: the latest (inactive) wins -> no match
indicator(4 * D, "C2", "Possible C2", 60, True, ip=IP_G)
indicator(1 * D, "C2", "Possible C2 (false positive: CDN address, deactivated)", 60, False, ip=IP_G)
# (h): only indicator is 8 days old -> outside the 7-day TI lookback -> no match
indicator(8 * D, "C2", "AsyncRAT C2 (older report)", 75, True, ip=IP_H)
# (j): IPv6, written uncompressed
indicator(3 * D, "C2", "Havoc C2 on DigitalOcean IPv6", 80, True, ip=IP_J_TI)
# (c)'s address only as NetworkDestinationIP (NetworkIP empty): the seed joins on NetworkIP -> no match
indicator(2 * D, "Botnet", "Destination seen in botnet traffic", 30, True, dst=IP_C)
# Unrelated IP, domain, URL and CIDR indicators
indicator(1 * D + 5 * TICKS_PER_HOUR, "C2", "Brute Ratel C4 badger callback host", 70, True, ip="193.149.176.22")
indicator(3 * D + 1 * TICKS_PER_HOUR, "Botnet", "Mirai scanner", 50, True, ip="103.145.13.29", tlp="White")
indicator(6 * D + 9 * TICKS_PER_HOUR, "C2", "QakBot tier-1 proxy", 65, True, ip="45.61.136.118")
indicator(2 * D + 4 * TICKS_PER_HOUR, "Phishing", "Credential phishing page", 80, True, domain="login-micros0ft-support.com")
indicator(1 * D + 11 * TICKS_PER_HOUR, "Phishing", "Credential phishing URL",  80, True,
          url="https://login-micros0ft-support.com/owa/auth.php?id=4471")
indicator(5 * D, "MaliciousUrl", "Payload staging", 70, True, url="http://198.51.100.23:8080/stage2.bin")
indicator(3 * D + 6 * TICKS_PER_HOUR, "Tor", "Tor exit nodes, \"bulk\" range", 20, True, cidr="185.220.101.0/24", tlp="White",
          source="Custom feed")
indicator(9 * D, "C2", "Old infrastructure", 60, True, domain="cdn-updates-sync.net")


# --------------------------------------------------------------------------------------------
# Reference implementation of the seed rule (what the core must reproduce).
# The default lists of the rule: the seed's own (SEED_RULE.kql; core/src/rule.cpp), compared case-insensitively.
BROWSER_NAMES = {"chrome.exe", "firefox.exe", "msedge.exe", "microsoftedgecp.exe", "iexplore.exe", "brave.exe",
                 "opera.exe", "safari.exe", "waterfox.exe"}
SYSTEM_NAMES = {"svchost.exe", "wuauclt.exe", "trustedinstaller.exe", "msiexec.exe", "msmpeng.exe", "ccmexec.exe",
                "onedrive.exe", "teams.exe"}


def canonical_ip(text):
    import ipaddress
    return str(ipaddress.ip_address(text))


def run_rule(events, indicators, now):
    groups = {}
    for e in events:
        t = e["_t"]
        if not (t > now - TICKS_PER_DAY):
            continue
        if e["ActionType"] not in ("ConnectionSuccess", "NetworkSignatureInspected"):
            continue
        if e["RemoteIPType"] != "Public":
            continue
        p = e["InitiatingProcessFileName"].lower()
        if p in BROWSER_NAMES or p in SYSTEM_NAMES:
            continue
        b = (t // TICKS_PER_HOUR) * TICKS_PER_HOUR
        key = (b, e["DeviceName"], e["InitiatingProcessAccountName"], e["InitiatingProcessFileName"],
               e["InitiatingProcessCommandLine"], e["RemoteIP"])
        g = groups.setdefault(key, {"n": 0, "ports": set(), "first": t, "last": t})
        g["n"] += 1
        g["ports"].add(int(e["RemotePort"]))
        g["first"], g["last"] = min(g["first"], t), max(g["last"], t)
    latest = {}
    for i in indicators:
        if not i["NetworkIP"] or not (i["_t"] > now - 7 * TICKS_PER_DAY):
            continue
        ip = canonical_ip(i["NetworkIP"])
        if ip not in latest or i["_t"] > latest[ip]["_t"]:
            latest[ip] = i
    out = []
    for key, g in groups.items():
        if g["n"] < 12:
            continue
        b, dev, acct, proc, cmd, ip = key
        ti = latest.get(canonical_ip(ip))
        ti = ti if ti and ti["Active"] == "True" else None
        n, ports = g["n"], len(g["ports"])
        if ti and n >= 20:
            score = 95
        elif ti and n >= 12:
            score = 80
        elif ti:
            score = 65
        elif n >= 30 and ports <= 1:
            score = 60
        elif n >= 20 and ports <= 2:
            score = 45
        elif n >= 12:
            score = 30
        else:
            score = 20
        out.append({
            "Timestamp": iso_seconds(b), "DeviceName": dev, "AccountName": acct, "InitiatingProcessFileName": proc,
            "InitiatingProcessCommandLine": cmd, "RemoteIP": ip, "ConnectionCount": n,
            "ConnectionsPerMinute": round(n / 60.0, 2), "UniqueRemotePorts": ports,
            "RemotePorts": sorted(g["ports"])[:5], "TotalBytesSent": None, "TotalBytesReceived": None, "ByteRatio": 0,
            "IsTIMatch": bool(ti), "ThreatType": ti["ThreatType"] if ti else None,
            "TIDescription": ti["Description"] if ti else None,
            "TIConfidence": int(ti["ConfidenceScore"]) if ti else None, "RiskScore": score,
            "FirstConnection": iso7(g["first"]), "LastConnection": iso7(g["last"]),
        })
    out.sort(key=lambda r: (-r["RiskScore"], -r["ConnectionCount"], r["Timestamp"], r["DeviceName"], r["AccountName"],
                            r["InitiatingProcessFileName"], r["InitiatingProcessCommandLine"], r["RemoteIP"]))
    return out


def write_csv(path, columns, records):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(columns)
    for r in records:
        w.writerow([r[c] for c in columns])
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(buf.getvalue())


def read_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main(out_dir=HERE):
    # Defender's portal lists the newest first.
    events = sorted(rows, key=lambda r: (-r["_t"], int(r["ReportId"])))
    ev_path = os.path.join(out_dir, "DeviceNetworkEvents.csv")
    ti_path = os.path.join(out_dir, "ThreatIntelligenceIndicator.csv")
    write_csv(ev_path, COLUMNS, events)
    write_csv(ti_path, TI_COLUMNS, sorted(intel, key=lambda r: -r["_t"]))

    # Re-read what was written, and run the reference rule over the text (the round trip checks quoting).
    ev = read_csv(ev_path)
    ti = read_csv(ti_path)
    for e in ev:
        e["_t"] = parse_iso7(e["Timestamp"])
    for i in ti:
        i["_t"] = parse_iso7(i["TimeGenerated"])
    now = max(e["_t"] for e in ev)
    assert now == END
    result = run_rule(ev, ti, now)

    # The story must hold: exactly the planted rows are reported.
    got = [(r["InitiatingProcessFileName"], r["Timestamp"], r["ConnectionCount"], r["UniqueRemotePorts"], r["RiskScore"])
           for r in result]
    want = sorted([
        *[("updater.exe", "2026-11-24T%02d:00:00Z" % h, 12, 1, 80) for h in range(2, 10)],
        *[("wscsvc-helper.exe", "2026-11-23T%02d:00:00Z" % h, 30, 1, 60) for h in (18, 19, 20)],
        ("syncagent.exe", "2026-11-24T06:00:00Z", 22, 2, 45), ("syncagent.exe", "2026-11-24T07:00:00Z", 23, 2, 45),
        ("helper.exe", "2026-11-24T11:00:00Z", 12, 1, 30),
        ("rundll32.exe", "2026-11-24T12:00:00Z", 24, 1, 95), ("rundll32.exe", "2026-11-24T13:00:00Z", 25, 1, 95),
        ("audiodg64.exe", "2026-11-24T04:00:00Z", 15, 1, 30),
        ("rutserv.exe", "2026-11-24T05:00:00Z", 14, 1, 30),
        ("excelhelper.exe", "2026-11-24T09:00:00Z", 13, 1, 30),
        ("tmp5D1A.exe", "2026-11-24T07:00:00Z", 14, 1, 80),
    ])
    if sorted(got) != want:
        print("reference rule output differs from the planted story:", file=sys.stderr)
        for g in sorted(set(got) ^ set(want)):
            print("  ", "unexpected" if g in got else "missing", g, file=sys.stderr)
        sys.exit(1)

    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump({"now": iso7(now), "nowSource": "latest event", "rows": result}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("examples: %d events, %d indicators, %d expected rows (now = %s)" % (len(ev), len(ti), len(result), iso7(now)))


def parse_iso7(s):
    # 2026-11-24T14:37:28.2012261Z
    y, mo, d = int(s[0:4]), int(s[5:7]), int(s[8:10])
    h, mi, sec = int(s[11:13]), int(s[14:16]), int(s[17:19])
    frac = s[20:-1] if len(s) > 20 else ""
    return ticks(y, mo, d, h, mi, sec, int((frac + "0000000")[:7]) if frac else 0)


FILES = ["DeviceNetworkEvents.csv", "ThreatIntelligenceIndicator.csv", "expected.json"]


def same_value(want, got):
    if isinstance(want, float) or isinstance(got, float):
        return isinstance(got, (int, float)) and isinstance(want, (int, float)) and abs(want - got) < 1e-9
    return want == got


def check_cli(command):
    """Runs `command --events … --intel … --format jsonl` and compares its rows with expected.json."""
    import shlex
    import subprocess
    argv = shlex.split(command) + ["--events", os.path.join(HERE, FILES[0]), "--intel", os.path.join(HERE, FILES[1]),
                                   "--format", "jsonl", "--quiet"]
    proc = subprocess.run(argv, capture_output=True, text=True)
    if proc.returncode != 0:
        return ["%s exited with %d: %s" % (command, proc.returncode, proc.stderr.strip()[:500])]
    rows = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    problems = ["a row without Detection, Score or Reasons: %r" % r for r in rows
                if not all(k in r for k in ("Detection", "Score", "Reasons"))][:3]
    # The seed rule's rows are the beacon detection's; other detections' rows (the example's inbound
    # connections) are not the seed's business. In seed mode a beacon row's Score is its RiskScore.
    got = [r for r in rows if r.get("Detection") == "beacon"]
    problems += ["row %d: Score %r is not RiskScore %r" % (i + 1, r["Score"], r["RiskScore"])
                 for i, r in enumerate(got) if r["Score"] != r["RiskScore"]]
    with open(os.path.join(HERE, "expected.json"), encoding="utf-8") as f:
        want = json.load(f)["rows"]
    if len(got) != len(want):
        problems.append("%d rows, expected %d" % (len(got), len(want)))
    for i, (w, g) in enumerate(zip(want, got)):
        bad = ["%s=%r (expected %r)" % (f, g.get(f, "<missing>"), v) for f, v in w.items()
               if f not in g or not same_value(v, g[f])]
        if bad:
            problems.append("row %d, expected %s %s %s -> %s: %s" % (
                i + 1, w["Timestamp"], w["InitiatingProcessFileName"], w["RemoteIP"], w["RiskScore"],
                "; ".join(bad) if len(bad) <= 4 else "; ".join(bad[:4]) + "; and %d more fields" % (len(bad) - 4)))
    return problems


def check(clis):
    import filecmp
    import tempfile
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        main(tmp)
        for name in FILES:
            if not filecmp.cmp(os.path.join(tmp, name), os.path.join(HERE, name), shallow=False):
                print("examples: %s differs from what make-example.py writes; run python3 examples/make-example.py" % name)
                failed = True
    if not failed:
        print("examples: the committed files are what make-example.py writes")
    for cli in clis:
        problems = check_cli(cli)
        for p in problems[:10]:
            print("examples: %s: %s" % (cli, p))
        if problems:
            failed = True
            print("examples: %s: FAILED, %d rows differ from expected.json" % (cli, len(problems)))
        else:
            print("examples: %s: output matches expected.json" % cli)
    return 1 if failed else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--check":
        clis = [args[i + 1] for i in range(1, len(args) - 1) if args[i] == "--cli"]
        sys.exit(check(clis))
    if args:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    main()
