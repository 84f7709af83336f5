package cds

import (
	"github.com/comune-torino/portale/internal/civil"
	"github.com/comune-torino/portale/internal/money"
)

// Deadlines are the last days a person has to act after contestation or
// notification, each moved past Sundays and holidays.
type Deadlines struct {
	Reduced30         civil.Date // pay with 30 % off (art. 202 c.1), 5 days
	Minimum           civil.Date // pay the misura ridotta (art. 202 c.1), 60 days
	Prefetto          civil.Date // appeal to the Prefetto (art. 203 c.1), 60 days
	GiudiceDiPace     civil.Date // appeal to the Giudice di Pace (art. 204-bis; D.Lgs. 150/2011 art. 7), 30 days, 60 abroad
	DriverData        civil.Date // owner gives the driver's identity (art. 126-bis c.2), 60 days
	InstalmentRequest civil.Date // ask for instalments (art. 202-bis c.1), 30 days
}

// Deadlines returns the deadlines of a verbale served on served. abroad is
// true when the person lives abroad (60 days for the Giudice di Pace).
func (c Config) Deadlines(served civil.Date, abroad bool) Deadlines {
	gdp := 30
	if abroad {
		gdp = 60
	}
	return Deadlines{
		Reduced30:         c.Deadline(served, 5),
		Minimum:           c.Deadline(served, 60),
		Prefetto:          c.Deadline(served, 60),
		GiudiceDiPace:     c.Deadline(served, gdp),
		DriverData:        c.Deadline(served, 60),
		InstalmentRequest: c.Deadline(served, 30),
	}
}

// InstalmentRejectionDeadline is the last day to pay the misura ridotta
// after the office rejects an instalment request (art. 202-bis: 30 days
// from the rejection). The office decides within 90 days of the request;
// its silence is a rejection, so when no answer came, pass the 90th day.
func (c Config) InstalmentRejectionDeadline(rejected civil.Date) civil.Date {
	return c.Deadline(rejected, 30)
}

// SilentRejection is the day an instalment request made on requested counts
// as rejected if the office has not answered (90 days, art. 202-bis).
func (c Config) SilentRejection(requested civil.Date) civil.Date {
	return requested.AddDays(90)
}

// PrefettoRejectionMinimum is the least a Prefetto's ordinanza-ingiunzione
// can ask after rejecting an appeal: double the minimum (art. 204 c.1),
// before costs.
func PrefettoRejectionMinimum(min money.Cents) money.Cents { return 2 * min }

// GiudiceDiPaceFee is the smallest court fee (contributo unificato) for an
// appeal to the Giudice di Pace, per RULES.md ("from €43").
const GiudiceDiPaceFee money.Cents = 4300

// DriverDataFine returns the fine for not giving the driver's identity
// within 60 days (art. 126-bis c.2: € 291–1.166), as in force on day.
func (c Config) DriverDataFine(day civil.Date) (Tariff, error) {
	return c.Lookup("126-bis", "2", day)
}

// NotificationLapsed reports whether a notification sent on sent came too
// late: more than 90 days after the offender was identified (360 when they
// live abroad), art. 201 c.5, with the usual holiday shift of the last day.
func (c Config) NotificationLapsed(identified, sent civil.Date, abroad bool) bool {
	days := 90
	if abroad {
		days = 360
	}
	return sent.After(c.Deadline(identified, days))
}

// PostalNotification returns the day a postal notification is complete when
// the letter was not delivered and was left at the post office: the day the
// addressee collects it, or the tenth day of "compiuta giacenza" if that
// comes first (art. 8 L. 890/1982). The ten days start from the dispatch of
// the notice of deposit (CAD) or, with Config.GiacenzaFromDeposit, from the
// deposit itself. collected is zero when the letter was never collected.
func (c Config) PostalNotification(deposited, cadSent, collected civil.Date) civil.Date {
	start := cadSent
	if c.GiacenzaFromDeposit {
		start = deposited
	}
	done := start.AddDays(10)
	if !collected.IsZero() && collected.Before(done) {
		return collected
	}
	return done
}
