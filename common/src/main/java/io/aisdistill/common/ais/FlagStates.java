package io.aisdistill.common.ais;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Maritime Identification Digits (MID) to flag state / geographical area, after the ITU MID
 * allocation table of ITU-R M.585 (ITU MARS "Table of Maritime Identification Digits",
 * https://www.itu.int/en/ITU-R/terrestrial/fmd/Pages/mid.aspx), as transcribed in public AIS
 * tooling and cross-checked against the MID column of the Danish Maritime Authority's
 * {@code dk/dma/enav/model/country.properties} (enav-model 0.6, the AisLib companion already on
 * this project's classpath).
 *
 * <p>Names are short common English names: ITU's formal suffixes ("(Republic of)") are dropped,
 * "United States of America" is "United States", "United Kingdom of Great Britain and Northern
 * Ireland" is "United Kingdom". A MID allocated to a territory ("China - Hong Kong", "Denmark -
 * Faroe Islands", "United Kingdom - Gibraltar") maps to the territory's name ("Hong Kong",
 * "Faroe Islands", "Gibraltar"), as the ITU lists it as its own geographical area with its own
 * ship register. MIDs of a region of a state that registers ships under the state's flag map to
 * the state: 204 (Azores) and 255 (Madeira) are Portugal, 303 (Alaska) is the United States.
 */
public final class FlagStates {
  private FlagStates() {}

  // MID <TAB> name; one line per ITU allocation.
  private static final String TABLE = """
      201\tAlbania
      202\tAndorra
      203\tAustria
      204\tPortugal
      205\tBelgium
      206\tBelarus
      207\tBulgaria
      208\tVatican City
      209\tCyprus
      210\tCyprus
      211\tGermany
      212\tCyprus
      213\tGeorgia
      214\tMoldova
      215\tMalta
      216\tArmenia
      218\tGermany
      219\tDenmark
      220\tDenmark
      224\tSpain
      225\tSpain
      226\tFrance
      227\tFrance
      228\tFrance
      229\tMalta
      230\tFinland
      231\tFaroe Islands
      232\tUnited Kingdom
      233\tUnited Kingdom
      234\tUnited Kingdom
      235\tUnited Kingdom
      236\tGibraltar
      237\tGreece
      238\tCroatia
      239\tGreece
      240\tGreece
      241\tGreece
      242\tMorocco
      243\tHungary
      244\tNetherlands
      245\tNetherlands
      246\tNetherlands
      247\tItaly
      248\tMalta
      249\tMalta
      250\tIreland
      251\tIceland
      252\tLiechtenstein
      253\tLuxembourg
      254\tMonaco
      255\tPortugal
      256\tMalta
      257\tNorway
      258\tNorway
      259\tNorway
      261\tPoland
      262\tMontenegro
      263\tPortugal
      264\tRomania
      265\tSweden
      266\tSweden
      267\tSlovakia
      268\tSan Marino
      269\tSwitzerland
      270\tCzech Republic
      271\tTurkey
      272\tUkraine
      273\tRussia
      274\tNorth Macedonia
      275\tLatvia
      276\tEstonia
      277\tLithuania
      278\tSlovenia
      279\tSerbia
      301\tAnguilla
      303\tUnited States
      304\tAntigua and Barbuda
      305\tAntigua and Barbuda
      306\tCuraçao, Sint Maarten, Bonaire, Sint Eustatius and Saba
      307\tAruba
      308\tBahamas
      309\tBahamas
      310\tBermuda
      311\tBahamas
      312\tBelize
      314\tBarbados
      316\tCanada
      319\tCayman Islands
      321\tCosta Rica
      323\tCuba
      325\tDominica
      327\tDominican Republic
      329\tGuadeloupe
      330\tGrenada
      331\tGreenland
      332\tGuatemala
      334\tHonduras
      336\tHaiti
      338\tUnited States
      339\tJamaica
      341\tSaint Kitts and Nevis
      343\tSaint Lucia
      345\tMexico
      347\tMartinique
      348\tMontserrat
      350\tNicaragua
      351\tPanama
      352\tPanama
      353\tPanama
      354\tPanama
      355\tPanama
      356\tPanama
      357\tPanama
      358\tPuerto Rico
      359\tEl Salvador
      361\tSaint Pierre and Miquelon
      362\tTrinidad and Tobago
      364\tTurks and Caicos Islands
      366\tUnited States
      367\tUnited States
      368\tUnited States
      369\tUnited States
      370\tPanama
      371\tPanama
      372\tPanama
      373\tPanama
      374\tPanama
      375\tSaint Vincent and the Grenadines
      376\tSaint Vincent and the Grenadines
      377\tSaint Vincent and the Grenadines
      378\tBritish Virgin Islands
      379\tUnited States Virgin Islands
      401\tAfghanistan
      403\tSaudi Arabia
      405\tBangladesh
      408\tBahrain
      410\tBhutan
      412\tChina
      413\tChina
      414\tChina
      416\tTaiwan
      417\tSri Lanka
      419\tIndia
      422\tIran
      423\tAzerbaijan
      425\tIraq
      428\tIsrael
      431\tJapan
      432\tJapan
      434\tTurkmenistan
      436\tKazakhstan
      437\tUzbekistan
      438\tJordan
      440\tSouth Korea
      441\tSouth Korea
      443\tPalestine
      445\tNorth Korea
      447\tKuwait
      450\tLebanon
      451\tKyrgyzstan
      453\tMacao
      455\tMaldives
      457\tMongolia
      459\tNepal
      461\tOman
      463\tPakistan
      466\tQatar
      468\tSyria
      470\tUnited Arab Emirates
      471\tUnited Arab Emirates
      472\tTajikistan
      473\tYemen
      475\tYemen
      477\tHong Kong
      478\tBosnia and Herzegovina
      501\tAdelie Land
      503\tAustralia
      506\tMyanmar
      508\tBrunei
      510\tMicronesia
      511\tPalau
      512\tNew Zealand
      514\tCambodia
      515\tCambodia
      516\tChristmas Island
      518\tCook Islands
      520\tFiji
      523\tCocos (Keeling) Islands
      525\tIndonesia
      529\tKiribati
      531\tLaos
      533\tMalaysia
      536\tNorthern Mariana Islands
      538\tMarshall Islands
      540\tNew Caledonia
      542\tNiue
      544\tNauru
      546\tFrench Polynesia
      548\tPhilippines
      550\tTimor-Leste
      553\tPapua New Guinea
      555\tPitcairn Island
      557\tSolomon Islands
      559\tAmerican Samoa
      561\tSamoa
      563\tSingapore
      564\tSingapore
      565\tSingapore
      566\tSingapore
      567\tThailand
      570\tTonga
      572\tTuvalu
      574\tVietnam
      576\tVanuatu
      577\tVanuatu
      578\tWallis and Futuna
      601\tSouth Africa
      603\tAngola
      605\tAlgeria
      607\tSaint Paul and Amsterdam Islands
      608\tAscension Island
      609\tBurundi
      610\tBenin
      611\tBotswana
      612\tCentral African Republic
      613\tCameroon
      615\tCongo
      616\tComoros
      617\tCabo Verde
      618\tCrozet Archipelago
      619\tCôte d'Ivoire
      620\tComoros
      621\tDjibouti
      622\tEgypt
      624\tEthiopia
      625\tEritrea
      626\tGabon
      627\tGhana
      629\tGambia
      630\tGuinea-Bissau
      631\tEquatorial Guinea
      632\tGuinea
      633\tBurkina Faso
      634\tKenya
      635\tKerguelen Islands
      636\tLiberia
      637\tLiberia
      638\tSouth Sudan
      642\tLibya
      644\tLesotho
      645\tMauritius
      647\tMadagascar
      649\tMali
      650\tMozambique
      654\tMauritania
      655\tMalawi
      656\tNiger
      657\tNigeria
      659\tNamibia
      660\tRéunion
      661\tRwanda
      662\tSudan
      663\tSenegal
      664\tSeychelles
      665\tSaint Helena
      666\tSomalia
      667\tSierra Leone
      668\tSao Tome and Principe
      669\tEswatini
      670\tChad
      671\tTogo
      672\tTunisia
      674\tTanzania
      675\tUganda
      676\tDemocratic Republic of the Congo
      677\tTanzania
      678\tZambia
      679\tZimbabwe
      701\tArgentina
      710\tBrazil
      720\tBolivia
      725\tChile
      730\tColombia
      735\tEcuador
      740\tFalkland Islands
      745\tFrench Guiana
      750\tGuyana
      755\tParaguay
      760\tPeru
      765\tSuriname
      770\tUruguay
      775\tVenezuela
      """;

  private static final Map<Integer, String> BY_MID = parse();

  private static Map<Integer, String> parse() {
    Map<Integer, String> m = new TreeMap<>();
    for (String line : TABLE.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      String[] parts = line.split("\t", 2);
      m.put(Integer.parseInt(parts[0].trim()), parts[1].trim());
    }
    return Collections.unmodifiableMap(m);
  }

  /**
   * Flag state / geographical area for a MID (201-775), e.g. 366 -> "United States", or null when
   * the MID is not allocated.
   */
  public static String forMid(int mid) {
    return BY_MID.get(mid);
  }

  /**
   * Flag state of a ship-station MMSI (9 digits, first digit 2-7, see {@link Mmsi#isVessel}) from
   * its first three digits, e.g. 219012345 -> "Denmark"; null for non-vessel MMSIs (coast stations,
   * aids to navigation, SAR aircraft, ...) and unallocated MIDs. Never throws.
   */
  public static String forMmsi(long mmsi) {
    return Mmsi.isVessel(mmsi) ? forMid(Mmsi.mid(mmsi)) : null;
  }

  /** The whole table, MID ascending -> name (unmodifiable). */
  public static Map<Integer, String> table() {
    return BY_MID;
  }
}
