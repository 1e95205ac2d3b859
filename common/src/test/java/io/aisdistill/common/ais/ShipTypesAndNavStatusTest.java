package io.aisdistill.common.ais;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ShipTypesAndNavStatusTest {
  @Test
  void descriptions() {
    assertEquals("Cargo, hazardous category A", ShipTypes.description(71));
    assertEquals("Cargo", ShipTypes.description(70));
    assertEquals("Cargo, no additional information", ShipTypes.description(79));
    assertEquals("Tanker, hazardous category D", ShipTypes.description(84));
    assertEquals("Tug", ShipTypes.description(52));
    assertEquals("Passenger", ShipTypes.description(60));
    assertEquals("Towing, length exceeds 200 m or breadth exceeds 25 m", ShipTypes.description(32));
    assertEquals("Pleasure craft", ShipTypes.description(37));
    assertEquals("Wing in ground, hazardous category B", ShipTypes.description(22));
    assertEquals("Reserved for future use", ShipTypes.description(5));
    assertNull(ShipTypes.description(0));
    assertNull(ShipTypes.description(100));
    assertNull(ShipTypes.description(null));
  }

  @Test
  void groups() {
    assertEquals("cargo", ShipTypes.group(74));
    assertEquals("tanker", ShipTypes.group(80));
    assertEquals("passenger", ShipTypes.group(69));
    assertEquals("fishing", ShipTypes.group(30));
    assertEquals("tug", ShipTypes.group(52));
    assertEquals("towing", ShipTypes.group(31));
    assertEquals("pleasure", ShipTypes.group(37));
    assertEquals("sailing", ShipTypes.group(36));
    assertEquals("high-speed craft", ShipTypes.group(40));
    assertEquals("pilot", ShipTypes.group(50));
    assertEquals("search and rescue", ShipTypes.group(51));
    assertEquals("law enforcement", ShipTypes.group(55));
    assertEquals("military", ShipTypes.group(35));
    assertEquals("dredging", ShipTypes.group(33));
    assertEquals("diving", ShipTypes.group(34));
    assertEquals("wing in ground", ShipTypes.group(29));
    assertEquals("other", ShipTypes.group(53));
    assertEquals("other", ShipTypes.group(90));
    assertNull(ShipTypes.group(0));
    assertNull(ShipTypes.group(19));
    assertFalse(ShipTypes.isKnown(0));
    assertTrue(ShipTypes.isKnown(99));
    for (int c = 20; c <= 99; c++) {
      assertTrue(ShipTypes.GROUPS.contains(ShipTypes.group(c)), "group of " + c);
    }
  }

  @Test
  void navStatus() {
    assertEquals("under way using engine", NavStatus.text(0));
    assertEquals("at anchor", NavStatus.text(1));
    assertEquals("moored", NavStatus.text(5));
    assertEquals("engaged in fishing", NavStatus.text(7));
    assertEquals("under way sailing", NavStatus.text(8));
    assertEquals("not defined", NavStatus.text(15));
    assertNull(NavStatus.text(16));
    assertNull(NavStatus.text(null));
  }
}
