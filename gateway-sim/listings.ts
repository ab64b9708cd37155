/**
 * Primary listing exchange per symbol, as IB reports it in contract details (primaryExch), positions and executions.
 * The market data has no exchange column, so the rule is: the S&P 500 members listed on Nasdaq as of April 2021
 * (the data's end) → NASDAQ; the exchange-traded funds of intraday/ on their own venues; everything else → NYSE,
 * where the rest of the index is listed.
 */
const NASDAQ_MEMBERS = `AAL AAPL ABMD ADBE ADI ADP ADSK AEP AKAM ALGN ALXN AMAT AMD AMGN AMZN ANSS APA ATVI AVGO BIIB BKNG CDNS CDW CERN
  CHRW CHTR CINF CMCSA CME COST CPRT CSCO CSX CTAS CTSH CTXS DISCA DISCK DISH DLTR DXCM EA EBAY ENPH EQIX ETSY EXC EXPD
  EXPE FANG FAST FB FFIV FISV FITB FLIR FOX FOXA FTNT GILD GOOG GOOGL GRMN HAS HBAN HOLX HSIC HST IDXX ILMN INCY INTC
  INTU IPGP ISRG JBHT JKHY KHC KLAC LKQ LNT LRCX MAR MCHP MDLZ MKTX MNST MPWR MSFT MU MXIM NDAQ NFLX NLOK NTAP NTRS
  NVDA NWL NWS NWSA NXPI ODFL ORLY PAYX PBCT PCAR PENN PEP POOL PYPL QCOM QRVO REG REGN ROST SBAC SBUX SIVB SNPS STX
  SWKS TER TMUS TRMB TROW TSCO TSLA TTWO TXN UAL ULTA VIAC VRSK VRSN VRTX VTRS WBA WDC WLTW WYNN XEL XLNX XRAY ZBRA ZION`;

const LISTINGS = new Map<string, string>([
  ...NASDAQ_MEMBERS.split(/\s+/).map((s) => [s, 'NASDAQ'] as const),
  ...['SPY', 'VOO', 'GLD', 'SLV', 'XLP', 'TZA'].map((s) => [s, 'ARCA'] as const),
  ['QQQ', 'NASDAQ'],
  ['VXXB', 'BATS'],
  ['VIX', 'CBOE'],
]);

export function primaryExchange(symbol: string): string {
  return LISTINGS.get(symbol) ?? 'NYSE';
}
