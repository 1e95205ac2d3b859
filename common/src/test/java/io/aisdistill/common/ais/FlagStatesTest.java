package io.aisdistill.common.ais;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FlagStatesTest {
  @Test
  void knownMids() {
    assertEquals("United States", FlagStates.forMmsi(366123456L));
    assertEquals("United States", FlagStates.forMmsi(338000001L));
    assertEquals("Denmark", FlagStates.forMmsi(219012345L));
    assertEquals("Denmark", FlagStates.forMmsi(220000001L));
    assertEquals("Liberia", FlagStates.forMmsi(636019825L));
    assertEquals("Hong Kong", FlagStates.forMmsi(477553000L));
    assertEquals("Panama", FlagStates.forMmsi(351234000L));
    assertEquals("Marshall Islands", FlagStates.forMmsi(538001234L));
    assertEquals("Malta", FlagStates.forMmsi(256000001L));
    assertEquals("Faroe Islands", FlagStates.forMmsi(231000001L));
    assertEquals("Gibraltar", FlagStates.forMid(236));
    assertEquals("Venezuela", FlagStates.forMid(775));
    assertEquals("Côte d'Ivoire", FlagStates.forMid(619));
    // regions that register ships under their state's flag
    assertEquals("United States", FlagStates.forMmsi(303123456L)); // Alaska
    assertEquals("Portugal", FlagStates.forMmsi(204123456L)); // Azores
    assertEquals("Portugal", FlagStates.forMmsi(255123456L)); // Madeira
    assertEquals("Portugal", FlagStates.forMid(263));
    assertEquals("Faroe Islands", FlagStates.forMid(231)); // own register: its own name
  }

  @Test
  void unknownAndNonVessel() {
    assertNull(FlagStates.forMid(217)); // unallocated
    assertNull(FlagStates.forMmsi(200000000L)); // MID 200 unallocated
    assertNull(FlagStates.forMmsi(2190001L)); // coast station 00219xxxx
    assertNull(FlagStates.forMmsi(992191234L)); // aid to navigation
    assertNull(FlagStates.forMmsi(970123456L)); // AIS-SART
    assertNull(FlagStates.forMmsi(111219123L)); // SAR aircraft
  }

  @Test
  void tableIsFullSized() {
    int n = FlagStates.table().size();
    assertTrue(n >= 280 && n <= 300, "MID table size " + n);
    FlagStates.table().forEach((mid, name) -> {
      assertTrue(mid >= 201 && mid <= 775, "MID " + mid);
      assertTrue(!name.isBlank() && name.equals(name.strip()), "name for " + mid);
    });
  }
}
