// What the Foo Corp example says to callers, shared by the tests that walk it.
export const CHOICES =
  "To hear our lunch specials, press one or say lunch specials. For our hours, press two or say hours. " +
  "To speak with someone, press three or say agent. For the weather, press four or say weather.";
export const WELCOME = `Welcome to Foo Corp! ${CHOICES}`;
export const WELCOME_INVALID = "Sorry, that is not one of the choices.";
export const WELCOME_TIMEOUT = "Sorry, I didn't hear a choice.";
export const LUNCH = ["Our lunch special is a hamburger.", "If you want to now hear our hours, press one or say hours."];
export const LUNCH_AGAIN = "To hear our hours, press one or say hours.";
// LUNCH_SPECIALS keeps menu()'s default messages.
export const LUNCH_INVALID = "Sorry, that is not one of the choices.";
export const LUNCH_TIMEOUT = "Sorry, I didn't catch that.";
export const HOLD = "Please hold while we find someone to help you.";
