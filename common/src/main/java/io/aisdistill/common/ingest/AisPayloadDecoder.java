package io.aisdistill.common.ingest;

import dk.dma.ais.binary.BinArray;
import dk.dma.ais.binary.SixbitException;
import dk.dma.ais.message.AisMessage;
import dk.dma.ais.message.AisMessage18;
import dk.dma.ais.message.AisMessage19;
import dk.dma.ais.message.AisMessage24;
import dk.dma.ais.message.AisMessage27;
import dk.dma.ais.message.AisMessage5;
import dk.dma.ais.message.AisMessageException;
import dk.dma.ais.message.AisPosition;
import dk.dma.ais.message.AisPositionMessage;
import dk.dma.ais.message.AisStaticCommon;
import dk.dma.ais.sentence.Vdm;
import io.aisdistill.common.ais.Mmsi;
import io.aisdistill.common.ais.PositionReport;
import io.aisdistill.common.ais.RecordSink;
import io.aisdistill.common.ais.RejectReason;
import io.aisdistill.common.ais.Sentinels;
import io.aisdistill.common.ais.StaticReport;

/**
 * Turns one complete (reassembled) AIS 6-bit payload into a {@link PositionReport} or
 * {@link StaticReport}, decoding the bits with DMA AisLib and applying the ITU-R M.1371-5 field
 * rules. Stateless.
 */
final class AisPayloadDecoder {
  private AisPayloadDecoder() {}

  /**
   * Nominal length in bits of each supported type (ITU-R M.1371-5 Tables 48, 52, 67, 70, 86) and
   * how many trailing bits a real transmitter may drop: the dropped bits may only be tail fields we
   * do not use (radio status, RAIM, DTE, spare; for type 5 the last destination character), which
   * are zero-filled, as gpsd and pyais do. Types decoded by AisLib with an exact length check
   * (18, 19, 27) are cut to their nominal length when longer (some units fill the whole slot).
   * Type 24 lengths are left to AisLib.
   */
  private record Layout(int nominalBits, int maxShortBits, boolean exact) {}

  private static Layout layout(int type) {
    return switch (type) {
      case 1, 2, 3 -> new Layout(168, 20, false);
      case 5 -> new Layout(424, 8, false);
      case 18 -> new Layout(168, 20, true);
      case 19 -> new Layout(312, 11, true);
      case 27 -> new Layout(96, 2, true);
      default -> null;
    };
  }

  /** Message 27 "SOG not available" (ITU-R M.1371-5 Table 86: 0-62 knots, 63 = n/a). */
  private static final int MSG27_SOG_NA = 63;
  /** Message 27 "COG not available" (ITU-R M.1371-5 Table 86: 0-359 degrees, 511 = n/a). */
  private static final int MSG27_COG_NA = 511;

  /** The inputs of one decode: payload bits plus the record's identity and time. */
  record Input(String payload, int padBits, Long tsMillis, String source, long sourceRecord) {}

  /**
   * Decodes {@code in} and hands the record to {@code sink}.
   *
   * @throws RecordRejection BAD_PAYLOAD (empty, not 6-bit ASCII, too short for its type),
   *     UNSUPPORTED_MSG_TYPE (not 1, 2, 3, 5, 18, 19, 24, 27), NON_VESSEL_MMSI, LAT_OUT_OF_RANGE,
   *     LON_OUT_OF_RANGE, NO_TIMESTAMP (position without a time)
   */
  static void decode(Input in, RecordSink sink) throws RecordRejection {
    AisMessage msg = decodeBits(in.payload(), in.padBits());
    long mmsi = msg.getUserId() & 0xFFFFFFFFL;
    if (!Mmsi.isVessel(mmsi)) {
      throw new RecordRejection(RejectReason.NON_VESSEL_MMSI,
          "MMSI " + mmsi + " (message type " + msg.getMsgId() + ") is not a ship station (ITU-R M.585)");
    }
    if (msg instanceof AisMessage5 m5) {
      sink.staticReport(static5(m5, mmsi, in));
    } else if (msg instanceof AisMessage24 m24) {
      sink.staticReport(static24(m24, mmsi, in));
    } else {
      sink.position(position(msg, mmsi, in));
    }
  }

  private static AisMessage decodeBits(String payload, int padBits) throws RecordRejection {
    if (payload.isEmpty()) {
      throw new RecordRejection(RejectReason.BAD_PAYLOAD, "empty payload");
    }
    for (int i = 0; i < payload.length(); i++) {
      char c = payload.charAt(i);
      if (c < '0' || c > 'w' || (c > 'W' && c < '`')) {
        throw new RecordRejection(RejectReason.BAD_PAYLOAD,
            "character '" + c + "' at " + i + " is not 6-bit ASCII (ITU-R M.1371-5 Table 47 / IEC 61162-1)");
      }
    }
    int type = sixbit(payload.charAt(0));
    switch (type) {
      case 1, 2, 3, 5, 18, 19, 24, 27 -> { }
      default -> throw new RecordRejection(RejectReason.UNSUPPORTED_MSG_TYPE,
          "message type " + type + " is neither a vessel position (1, 2, 3, 18, 19, 27) nor static (5, 24)");
    }
    Layout layout = layout(type);
    String bits = payload;
    int pad = padBits;
    int length = payload.length() * 6 - padBits;
    if (layout != null && layout.exact() && length > layout.nominalBits()) {
      bits = payload.substring(0, layout.nominalBits() / 6);
      pad = 0;
    }
    try {
      Vdm vdm = new Vdm();
      BinArray binArray = vdm.getBinArray();
      binArray.appendSixbit(bits, pad);
      int missing = layout == null ? 0 : layout.nominalBits() - binArray.getLength();
      if (missing > 0 && missing <= layout.maxShortBits()) {
        binArray.append(0L, missing);
      }
      vdm.setMsgId((int) binArray.getVal(6));
      return AisMessage.getInstance(vdm);
    } catch (SixbitException | AisMessageException | RuntimeException e) {
      throw new RecordRejection(RejectReason.BAD_PAYLOAD,
          "message type " + type + " payload of " + length + " bits undecodable: " + e.getMessage());
    }
  }

  /** Value 0-63 of a 6-bit ASCII payload character (ITU-R M.1371-5 / IEC 61162-1 Table 7). */
  private static int sixbit(char c) {
    int v = c - 48;
    return v > 40 ? v - 8 : v;
  }

  private static PositionReport position(AisMessage msg, long mmsi, Input in) throws RecordRejection {
    Kinematics k = kinematics(msg);
    double lat = k.pos.getLatitudeDouble();
    double lon = k.pos.getLongitudeDouble();
    if (!Sentinels.validLat(lat)) {
      throw new RecordRejection(RejectReason.LAT_OUT_OF_RANGE,
          "latitude " + lat + (lat == Sentinels.LAT_NOT_AVAILABLE ? " = not available" : " outside [-90, 90]"));
    }
    if (!Sentinels.validLon(lon)) {
      throw new RecordRejection(RejectReason.LON_OUT_OF_RANGE,
          "longitude " + lon + (lon == Sentinels.LON_NOT_AVAILABLE ? " = not available" : " outside [-180, 180]"));
    }
    if (in.tsMillis() == null) {
      throw new RecordRejection(RejectReason.NO_TIMESTAMP,
          "no tag block c:, $PGHP, NAIS trailer or $GPRMC time for this sentence, and no fallback time");
    }
    String name = null;
    Integer shipType = null;
    Double length = null;
    Double width = null;
    if (msg instanceof AisMessage19 m19) {
      name = text(m19.getName());
      shipType = shipType(m19.getShipType());
      length = metres(m19.getDimBow() + m19.getDimStern());
      width = metres(m19.getDimPort() + m19.getDimStarboard());
    }
    return new PositionReport(mmsi, in.tsMillis(), lat, lon, k.sog, k.cog, k.heading, k.navStatus,
        msg.getMsgId(), k.aisClass, name, null, null, shipType, length, width, null,
        in.source(), in.sourceRecord(), null);
  }

  /**
   * Position and motion fields of a position message: SOG in knots, COG in degrees, heading in
   * degrees as broadcast (1023 / 3600 / 511 "not available" included: the Plausibility guard maps
   * them); message 27's own "not available" values (SOG 63, COG 511) mapped to null here.
   */
  private record Kinematics(AisPosition pos, Double sog, Double cog, Integer heading, Integer navStatus,
      String aisClass) {}

  /** ITU-R M.1371-5 Tables 48 (types 1-3), 67 (18), 70 (19): SOG/COG in 1/10 kn/deg; Table 86 (27). */
  private static Kinematics kinematics(AisMessage msg) {
    if (msg instanceof AisPositionMessage m) {
      return new Kinematics(m.getPos(), m.getSog() / 10.0, m.getCog() / 10.0, m.getTrueHeading(),
          m.getNavStatus(), "A");
    }
    if (msg instanceof AisMessage18 m) {
      return new Kinematics(m.getPos(), m.getSog() / 10.0, m.getCog() / 10.0, m.getTrueHeading(), null, "B");
    }
    if (msg instanceof AisMessage19 m) {
      return new Kinematics(m.getPos(), m.getSog() / 10.0, m.getCog() / 10.0, m.getTrueHeading(), null, "B");
    }
    AisMessage27 m = (AisMessage27) msg;
    Double sog = m.getSog() == MSG27_SOG_NA ? null : (double) m.getSog();
    Double cog = m.getCog() == MSG27_COG_NA ? null : (double) m.getCog();
    return new Kinematics(m.getPos(), sog, cog, null, m.getNavStatus(), "A");
  }

  /** ITU-R M.1371-5 Table 52 (message 5); draught in 1/10 m, 0 = not available. */
  private static StaticReport static5(AisMessage5 m, long mmsi, Input in) {
    String imo = m.getImo() == 0 ? null : Long.toString(m.getImo());
    Double draft = m.getDraught() == 0 ? null : m.getDraught() / 10.0;
    return new StaticReport(mmsi, in.tsMillis(), 5, text(m.getName()), imo, text(m.getCallsign()),
        shipType(m.getShipType()), length(m), width(m), draft, text(m.getDest()), in.source(), in.sourceRecord());
  }

  /** ITU-R M.1371-5 Tables 80-81 (message 24): part A carries the name, part B the rest. */
  private static StaticReport static24(AisMessage24 m, long mmsi, Input in) {
    if (m.getPartNumber() == 0) {
      return new StaticReport(mmsi, in.tsMillis(), 24, text(m.getName()), null, null, null, null, null, null,
          null, in.source(), in.sourceRecord());
    }
    return new StaticReport(mmsi, in.tsMillis(), 24, null, null, text(m.getCallsign()),
        shipType(m.getShipType()), length(m), width(m), null, null, in.source(), in.sourceRecord());
  }

  private static Double length(AisStaticCommon m) {
    return metres(m.getDimBow() + m.getDimStern());
  }

  private static Double width(AisStaticCommon m) {
    return metres(m.getDimPort() + m.getDimStarboard());
  }

  /** Dimension sum in metres, null when 0 (reference point not available). */
  private static Double metres(int sum) {
    return sum <= 0 ? null : (double) sum;
  }

  /** Ship and cargo type 1-99 (ITU-R M.1371-5 Table 53); 0 = not available -> null. */
  private static Integer shipType(int t) {
    return t == 0 ? null : t;
  }

  /** 6-bit text with '@' padding (ITU-R M.1371-5 Table 47) and spaces trimmed; null when empty. */
  private static String text(String raw) {
    String t = AisMessage.trimText(raw);
    return t == null || t.isEmpty() ? null : t;
  }
}
