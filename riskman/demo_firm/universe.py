"""The tradable universe: real US tickers with plausible early-2016 prices and popularity.

Popularity is the relative chance a trader picks the symbol (TSLA is the most traded name on
real prop desks); beta is the symbol's sensitivity to the S&P 500 in the price paths.
"""

from __future__ import annotations

import numpy as np

# ticker, approximate price at the start of 2016 (USD), popularity weight, market beta
_TABLE = """
TSLA 220 60 1.4|AAPL 105 30 1.1|AMZN 640 22 1.2|NFLX 110 22 1.4|FB 105 20 1.2|NVDA 32 18 1.6
AMD 2.8 16 1.9|BABA 78 14 1.3|GOOGL 760 12 1.0|MSFT 55 12 1.0|SPY 200 18 1.0|QQQ 110 14 1.1
IWM 112 8 1.2|TWTR 23 10 1.3|SNAP 24 6 1.5|BAC 16 10 1.3|C 52 6 1.4|JPM 66 6 1.1|GS 180 5 1.2
MU 14 10 1.7|INTC 34 6 1.0|CSCO 27 4 0.9|ORCL 36 3 1.0|IBM 138 3 0.8|CRM 78 4 1.2|ADBE 94 3 1.1
BA 145 5 1.1|CAT 68 3 1.2|DIS 105 4 0.9|NKE 62 3 0.8|SBUX 60 4 0.9|MCD 118 2 0.6|WMT 61 3 0.5
TGT 72 3 0.8|COST 160 2 0.7|HD 132 3 1.0|LOW 76 2 1.0|XOM 78 3 0.9|CVX 90 3 1.0|OXY 67 2 1.1
SLB 70 3 1.2|HAL 34 3 1.4|FCX 6.8 6 2.0|X 8 6 2.0|AA 9.9 4 1.8|CLF 3.2 5 2.2|GE 31 5 0.9
F 14 5 1.1|GM 34 4 1.2|UBER 40 0 1.2|LYFT 60 0 1.3|BIDU 188 5 1.3|JD 32 6 1.4|NTES 180 3 1.2
WB 19 4 1.6|YY 54 2 1.5|MOMO 15 3 1.7|SHOP 26 5 1.6|SQ 13 6 1.6|ROKU 15 3 1.8|TTD 30 2 1.7
ATVI 38 3 1.1|EA 69 2 1.0|TTWO 35 2 1.1|ZNGA 2.7 3 1.3|GPRO 18 5 1.6|FIT 29 5 1.5|P 13 3 1.5
AAL 42 4 1.4|DAL 50 3 1.3|UAL 57 3 1.3|LUV 43 2 1.1|CCL 54 2 1.1|RCL 100 2 1.2|MAR 67 1 1.1
PFE 32 3 0.8|MRK 53 2 0.7|JNJ 102 2 0.6|ABBV 58 3 0.9|GILD 101 5 1.1|AMGN 162 2 0.9
BIIB 306 3 1.1|CELG 120 3 1.1|REGN 540 2 1.2|VRX 101 6 2.0|MYL 54 3 1.2|TEVA 65 3 1.0
ENDP 61 3 1.6|INCY 108 2 1.4|ALXN 190 2 1.2|VRTX 125 3 1.3|ILMN 192 2 1.1|ISRG 545 2 1.0
SRPT 19 4 1.9|CLVS 34 3 1.9|ACAD 35 2 1.8|EXEL 5.6 2 1.7|NVAX 8.4 3 2.0|OPK 10 2 1.5
PLUG 2.4 4 2.2|FCEL 5 2 2.1|SPWR 30 3 2.0|FSLR 66 4 1.6|SCTY 39 4 2.1|RUN 6.8 2 1.9
CHK 4.5 6 2.3|WLL 15 3 2.2|DVN 32 2 1.5|APA 44 2 1.5|MRO 12.6 3 1.7|RIG 12.4 3 1.8
SWN 9.5 3 2.0|DNR 3 2 2.3|KMI 15 3 1.4|WFT 8.4 3 2.0|NBR 8.5 2 1.9|HES 48 2 1.5
V 77 3 0.9|MA 97 3 1.0|PYPL 36 4 1.2|AXP 69 2 1.1|COF 72 1 1.2|WFC 54 3 1.0|MS 31 3 1.4
T 34 3 0.6|VZ 46 3 0.5|S 3.6 3 1.2|TMUS 39 2 1.0|CMCSA 56 2 0.9|CHTR 183 1 1.0|DISH 57 1 1.0
QCOM 50 4 1.1|AVGO 145 3 1.3|TXN 55 2 1.1|AMAT 18.6 3 1.4|LRCX 79 2 1.4|KLAC 71 1 1.3
MRVL 8.8 2 1.5|ON 9.7 2 1.6|SWKS 76 2 1.5|QRVO 51 2 1.5|XLNX 47 1 1.1|WDC 60 2 1.5
STX 37 2 1.5|HPQ 11.8 2 1.1|DELL 40 0 1.1|NOW 86 2 1.3|WDAY 80 2 1.3|SPLK 58 2 1.5
TWLO 36 0 1.6|ZG 26 1 1.5|YELP 29 2 1.6|GRPN 3.1 3 1.7|ETSY 8.3 2 1.7|W 47 3 1.8
CMG 480 4 1.0|LULU 52 3 1.1|KORS 40 2 1.2|M 35 2 1.1|JWN 50 1 1.1|GPS 24 1 1.1|KSS 47 2 1.1
UVXY 30 5 -3.0|VXX 20 6 -2.5|TVIX 5 3 -3.5|SVXY 70 3 2.6|XIV 28 3 2.6|GLD 103 4 0.0
SLV 13.8 3 0.2|USO 11 4 0.8|UNG 8.7 2 0.2|GDX 14 5 0.1|GDXJ 20 3 0.2|EEM 32 4 1.2
FXI 34 3 1.2|EWZ 20 3 1.5|XLF 23 4 1.2|XLE 60 3 1.1|XBI 70 4 1.6|SMH 52 2 1.4|TLT 120 3 -0.4
"""


def load_universe() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(tickers, start prices, popularity weights, betas), in a fixed order."""
    rows = [item.split() for line in _TABLE.strip().splitlines() for item in line.split("|") if item.strip()]
    rows = [r for r in rows if float(r[2]) > 0]  # listed later than the demo period
    tickers = np.array([r[0] for r in rows])
    prices = np.array([float(r[1]) for r in rows])
    weights = np.array([float(r[2]) for r in rows])
    betas = np.array([float(r[3]) for r in rows])
    return tickers, prices, weights, betas
