package alert

import "fmt"

// fmsMeanings are the FMS status meanings as harmonised for digital radio.
var fmsMeanings = [10]string{
	0: "Priorisierter Sprechwunsch",
	1: "Einsatzbereit über Funk",
	2: "Auf Wache",
	3: "Einsatz übernommen",
	4: "Am Einsatzort",
	5: "Sprechwunsch",
	6: "Nicht einsatzbereit",
	7: "Patient aufgenommen",
	8: "Am Transportziel",
	9: "Fremdanmeldung",
}

// FMSMeaning is the meaning of an FMS status 0-9, "" for anything else.
func FMSMeaning(fms int) string {
	if fms < 0 || fms > 9 {
		return ""
	}
	return fmsMeanings[fms]
}

// StatusBody is the readable fallback of a unit status: "Status 3 – Einsatz übernommen (HLF 20-1)".
func StatusBody(s UnitStatus) string {
	body := fmt.Sprintf("Status %d – %s", s.FMS, FMSMeaning(s.FMS))
	if s.Unit != "" {
		body += " (" + s.Unit + ")"
	}
	return body
}
