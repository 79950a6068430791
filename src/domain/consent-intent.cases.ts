/**
 * Real-world replies to business texts and what readConsentIntent must read in them.
 * This table is the specification of docs/opt-out-rules.md: change a rule there, change
 * the cases here. Every case is checked both while the contact is opted in and while
 * opted out (only YES/SÍ depend on that).
 *
 * Outcomes:
 * - opt_out_high       opt out at once (scope 'default')
 * - opt_out_high_all   opt out at once from everything the workspace sends (scope 'all')
 * - opt_out_ambiguous  flag the conversation for a person; hold marketing until resolved
 * - opt_in             opt back in (any time)
 * - opt_in_if_opted_out  opt back in while opted out; an ordinary reply otherwise
 * - help               send the help text
 * - none               an ordinary reply for a human
 */
export type ExpectedIntent =
  | 'opt_out_high'
  | 'opt_out_high_all'
  | 'opt_out_ambiguous'
  | 'opt_in'
  | 'opt_in_if_opted_out'
  | 'help'
  | 'none';

export interface ConsentCase {
  readonly body: string;
  readonly expect: ExpectedIntent;
  /** The language of an opt-out; English unless said. */
  readonly language: 'en' | 'es';
}

const section = (expect: ExpectedIntent, language: 'en' | 'es', bodies: readonly string[]): ConsentCase[] =>
  bodies.map((body) => ({ body, expect, language }));

export const CONSENT_CASES: readonly ConsentCase[] = [
  // ── The standard keywords, alone, in any case and decoration ─────────────────────────
  ...section('opt_out_high', 'en', [
    'STOP', 'stop', 'Stop', 'sToP', 'Stop.', 'STOP!!!', 'stop!', ' stop ', '"stop"', 'Stop?', '¡Stop!', '*STOP*',
    'stop 🛑', '🛑 STOP 🛑', 'STOP ✋️', 'stop 👍🏽', 'stop\u200b', '\u200bSTOP', 'ＳＴＯＰ', 'STOOOOP', 'stopppp!!',
    'UNSUBSCRIBE', 'unsubscribe', 'Unsubscribe.', 'UNSUBSCRIBE me', 'unsubscribe me please', 'unsub',
    'CANCEL', 'cancel', 'Cancel.', 'END', 'end', 'End.', 'QUIT', 'quit', 'Quit!', 'REVOKE', 'revoke',
    'OPTOUT', 'optout', 'OPT OUT', 'Opt out', 'opt-out', 'Opt-Out.', 'opt me out', 'REMOVE', 'remove', 'Remove me',
    'remove me.', 'S T O P', 'S.T.O.P.',
    // Repeated or combined
    'stop stop', 'STOP STOP STOP', 'stop. stop. STOP', 'Stop unsubscribe', 'STOP, UNSUBSCRIBE',
    // With courtesy, urgency or exasperation only. Decided: "ugh stop" and "stop it" are high — in reply
    // to a business text, "it" is the texting and "ugh" adds nothing; laughter ("lol stop") is not.
    'Stop please', 'stop pls', 'STOP PLEASE', 'please stop', 'Please STOP!', 'stop thanks', 'Stop, thank you',
    'stop thank u', 'stop now', 'STOP NOW', 'stop immediately', 'stop asap', 'stop already', 'just stop',
    'ugh stop', 'Ughhh. Stop.', 'omg stop', 'seriously stop', 'stop it', 'Stop it.', 'STOP IT!!', 'quit it',
    'stop this', 'hi, stop please', 'ok stop', 'sorry, stop', 'stop forever', 'Stop. Thank you.', 'pls unsubscribe',
    'Unsubscribe, thanks', 'Cancel please', 'end please', 'remove me please', 'opt out please',
    // With a signature
    'STOP\n\nSent from my iPhone', 'Stop\nSent from my Samsung Galaxy smartphone.', 'STOP - Maria', 'Stop -Maria G.',
    'stop\n-- \nJohn Smith\nAcme Plumbing', 'Stop. Thanks, Maria', 'STOP\nMaria', 'Stop please\nJohn Smith',
    'unsubscribe\n\nGet Outlook for iOS', 'stop - maria', 'Stop ~ J. Smith', 'STOP Maria', 'Stop, John Smith',
    // Sign-offs and pleasantries around the keyword (found in review: these read as nothing before).
    'Stop. Have a nice day', 'Stop - Best, John', 'STOP -Sent from Yahoo Mail', 'STOP. Kind regards, Ann',
    'Stop. Have a great day!', 'STOP, thanks, bye', 'Unsubscribe. Best regards', 'Stop please. Take care',
  ]),
  // A keyword among delighted words is most likely joy, but it is never dropped unread: a person decides.
  ...section('opt_out_ambiguous', 'en', [
    "Stop, you're making me blush 😊", "Stop it, you're too kind!", "Stop!!! That's the best news ever!!!", "Stop! That's amazing news",
  ]),
  // Typos of UNSUBSCRIBE have no other meaning.
  ...section('opt_out_high', 'en', ['unsubcribe', 'Unsuscribe', 'unsubscibe', 'UNSUBSCRIBE!!', 'unsubsribe']),

  // ── Workspace-wide: STOPALL, STOP ALL, "everything" ──────────────────────────────────
  ...section('opt_out_high_all', 'en', [
    'STOPALL', 'stopall', 'StopAll.', 'STOP ALL', 'stop all', 'Stop all!', 'stop all please', 'stop everything',
    'STOP ALL\n\nSent from my iPhone', 'unsubscribe all', 'unsubscribe me from everything', 'unsubscribe from all',
    'opt out of everything', 'remove me from all lists', 'stop all texts', 'stop all messages from you guys',
    'Please stop sending all of these texts', 'quit all', 'cancel all',
  ]),
  ...section('opt_out_high_all', 'es', ['baja de todo', 'BAJA TODO', 'darme de baja de todo']),

  // ── Plain words, English: clear revocations ──────────────────────────────────────────
  ...section('opt_out_high', 'en', [
    'please stop texting me', 'Stop texting me', 'STOP TEXTING ME!!!! 😡', 'stop texting me please',
    'Stop texting me about pizza', 'stop messaging me', 'quit messaging me', 'quit texting me', 'stop txting me',
    'stop sending me these', 'Stop sending me these texts', 'stop sending me texts', 'stop sending messages',
    'please stop sending', 'stop contacting me', 'Stop spamming me', 'stop bothering me', 'stop harassing me',
    'stop blowing up my phone', 'stop hitting me up', 'stop texting this number', 'stop texting my number',
    'Can you stop texting me?', 'could you please stop sending me these', 'will you stop texting me',
    'why wont you stop texting me', "if you don't stop texting me I'll report you", 'I want you to stop texting me',
    'stop texting me or I will block you', 'Hi, please stop texting me, I moved to Florida.',
    'stop calling and texting me', 'stop texting and calling me',
    "don't text me anymore", 'dont text me any more', 'do not text me', 'Do not contact me', 'do not contact',
    'never text me again', 'dont message me again', "please don't contact me again", 'dont ever text me again',
    'do not send me any more messages', "don't send me anything else", 'can you not text me',
    'no more texts', 'no more texts please', 'No more messages.', 'no texts please', 'no more promos',
    'stop the texts', 'stop these texts', 'stop the messages please', 'stop with the texts', 'enough with the texts',
    'enough texts', 'stop the reminders', 'cancel the texts', 'cancel these messages', 'stop your promotional messages',
    'remove me', 'remove me from this list', 'Remove me from your list.', 'remove me from your mailing list',
    'remove my number', 'remove my number from your system', 'delete my number', 'please delete my number',
    'take me off your list', 'take me off the list', 'Take me off this list please', 'take me off', 'take my number off your list',
    'get me off this list', 'get me off your texting list', 'I want off your list', 'i want to be removed from your list',
    'lose my number', 'Lose my number.', 'forget my number', 'leave me alone', 'please leave me alone',
    'I want to unsubscribe', 'how do I unsubscribe?', 'how do i unsubscribe from this', 'I would like to unsubscribe please',
    'i want to opt out', 'how do I opt out', 'opt me out of these texts', 'I already unsubscribed',
    'please unsubscribe me', 'Unsubscribe me from this list',
    "I don't want these texts", 'i dont want your texts', 'I no longer want to receive these messages',
    "I don't want to receive texts from you", "i don't want any more messages", "I don't want to be contacted",
    'i dont want to be texted', 'how do i stop getting these', 'how do I stop receiving these messages',
    'I want to stop getting texts', 'I revoke my consent', 'i revoke consent', 'I withdraw my consent',
    'I do not consent to these messages', 'cancel my text subscription', 'I said stop', 'i already said stop',
    'I texted STOP twice', 'not interested in your texts',
    // A keyword as its own sentence, next to words that back it up
    'who is this? stop', 'Who is this?? STOP', 'wrong number, please remove', 'Wrong number. Stop.',
    'not interested. stop', 'Not interested, STOP', 'No. Stop.', 'no thanks, stop', 'Stop. Who is this?',
    'Stop!! Why do you keep texting me', 'STOP. I never signed up for this', 'who dis? unsubscribe',
  ]),

  // ── Plain words, Spanish: clear revocations ──────────────────────────────────────────
  ...section('opt_out_high', 'es', [
    'BAJA', 'baja', 'Baja.', 'baja por favor', 'BAJA\n\nEnviado desde mi iPhone', 'dar de baja', 'darme de baja',
    'denme de baja', 'quiero darme de baja', 'me doy de baja', 'cancelar', 'CANCELAR', 'cancelar por favor',
    'alto', 'ALTO', 'Alto!', 'alto por favor', 'para ya', 'Para ya!', 'ya para', 'para por favor', 'parar', 'paren',
    'detener', 'STOP por favor', 'stop gracias', 'desuscribir', 'desuscribirme', 'cancelar suscripción',
    'no me manden más mensajes', 'No me manden mas mensajes', 'no me manden mensajes', 'no me escriban',
    'no me escriban más', 'no me envíen más mensajes', 'no me vuelvan a escribir', 'no me vuelvan a mandar mensajes',
    'nunca me contacten', 'no me molesten', 'no me molesten más por favor',
    'dejen de escribirme', 'Dejen de mandarme mensajes', 'deja de escribirme', 'dejen de molestarme',
    'por favor dejen de enviarme mensajes', 'pueden dejar de mandarme mensajes?', 'déjenme en paz', 'dejame en paz',
    'quítenme de su lista', 'Quitenme de la lista', 'sáquenme de su lista por favor', 'bórrenme de su lista',
    'quítenme', 'borren mi número', 'eliminen mi número de su lista',
    'ya no quiero recibir mensajes', 'Ya no quiero recibir sus mensajes', 'no quiero recibir más mensajes',
    'no quiero más mensajes', 'no quiero que me manden mensajes', 'no quiero que me sigan escribiendo',
    'no más mensajes', 'No mas mensajes por favor', 'basta de mensajes', 'cancelar los mensajes',
    'quien es? baja', 'número equivocado, baja por favor', 'no me interesa. alto',
  ]),

  // ── Ambiguous: a person decides, marketing is held meanwhile ─────────────────────────
  ...section('opt_out_ambiguous', 'en', [
    // Exasperation without saying what should stop
    'enough', 'Enough!', 'enough already', "that's enough", 'no more', 'no more!!',
    // Not a revocation in words, but often meant as one. Decided: ambiguous, not none — each is how
    // many people say "stop", and none says it outright ("not interested" may mean this offer only).
    'not interested', "I'm not interested", 'Not interested, thanks', 'no longer interested',
    'wrong number', 'Wrong number!', 'you have the wrong number', 'this is spam', 'spam', 'Is this a scam?',
    'I never signed up for this', "i didn't sign up for this", 'how did you get my number?', 'who gave you my number',
    'why do you keep texting me', 'why are you texting me', 'why am i getting these', 'too many texts',
    'you text way too much', "i'm blocking you", 'reporting this number', 'go away', 'fuck off', 'f off',
    "I'm done with you guys", "i'm done with this", 'I unsubscribed by mistake', 'I opted out last week',
    'cancel my subscription', 'can you pause the texts',
    // A revocation with a qualifier: less often, for a while, someone else
    'stop texting me so much', 'stop messaging me all the time', 'stop texting me for now',
    'stop texting my wife', 'dont text my husband', 'stop sending me pictures of your dog', "don't send me",
    'remove me as the contact for my son', 'take me off the VIP group chat',
    // Calls only: this platform texts
    'stop calling me', "don't call me", 'no more calls', 'stop the emails',
    // A stop-verb with nothing to say what should stop
    'lol stop', 'stop lol', 'haha stop', 'omg stop 😂', 'STOP 😂😂', 'lol stop texting me', 'ugh just stop with this',
    'I quit', 'i need to cancel', 'Cancel it', 'cancel that', 'quit it lol', 'can you stop?',
    'Wait stop, I meant Tuesday', 'Stop! I will be there in 5', 'I want to stop', 'revoke it',
    // A keyword in a message that says something else too
    'STOP. Also what time do you close?', 'Cancel. I am sick today', 'END. my appointment is tomorrow right?',
    // Misspelled STOP; a stop sign or raised hand and nothing else
    'stopp', 'Stpo', 'sotp', 'stahp', '🛑', '🛑🛑🛑', '⛔️', '✋🏽',
  ]),
  ...section('opt_out_ambiguous', 'es', [
    'no más', 'No mas!', 'basta', 'ya basta', 'para', 'no me interesa', 'No me interesa, gracias',
    'no estoy interesada', 'número equivocado', 'se equivocaron de número', 'ya no quiero', 'es una estafa',
    'por qué me siguen mandando mensajes', 'no me llamen', 'dejen de llamarme', 'no me manden tantos mensajes',
    'cancelar mi suscripción', 'no le escriban a mi esposa', 'dejen de escribirme por ahora',
  ]),

  // ── Opt-in and help ──────────────────────────────────────────────────────────────────
  ...section('opt_in', 'en', [
    'START', 'start', 'Start.', 'start!', 'UNSTOP', 'unstop', 'Unstop.', 'START please', 'start\n\nSent from my iPhone',
  ]),
  // Decided: Spanish SÍ/SI counts like YES, and like YES only while opted out.
  ...section('opt_in_if_opted_out', 'en', ['YES', 'yes', 'Yes!', 'yes please', 'Sí', 'SI', 'si']),
  ...section('help', 'en', ['HELP', 'help', 'Help!', 'help?', 'HELP me', 'INFO', 'info', 'Info.', 'AYUDA', 'ayuda por favor', 'información']),

  // ── Must NOT opt out: an ordinary reply for a human ──────────────────────────────────
  ...section('none', 'en', [
    // Decided: "no thanks" declines an offer and "I'm done" usually means a finished task; a person
    // reads them anyway, and holding marketing for every "no thanks" would be a false flag.
    '', '   ', '!!!', '👎', '❌', 'Sent from my iPhone', 'ok', 'Thanks!', 'see you then', 'who is this?', 'no thanks',
    'no thank you', 'No', 'nope', 'done', "I'm done", 'I am done!', 'ok done, sent you the form',
    // "stop" meaning something else
    "don't stop the deliveries", 'please dont stop texting me, I love the deals', 'never stop sending me coupons',
    'can you stop by tomorrow?', 'I can stop by around 3', 'could you stop at the front desk', 'I can\'t stop smiling',
    "can't stop laughing lol", 'the bus stop on 5th', "I'm at the bus stop", 'next stop is mine',
    'we will make a quick stop at the bank first', 'Is there a stop sign at the entrance?', 'please stop the deliveries',
    "stop the order, I found it cheaper", 'stopped by yesterday but you were closed', 'it stopped raining',
    'nonstop flights?', 'one stop shop', "I'll stop texting you then", 'did you stop texting me?',
    "I didn't say stop", 'I never said stop', 'stop worrying, we are fine', 'you can stop there',
    // "end" and "quit" meaning something else
    'is the sale ending?', 'when does the sale end', 'when does the sale end?', 'end of the month works',
    'End of day is fine', 'at the end of the street', 'the weekend works', 'in the end we chose blue',
    'I quit my job lol', 'he quit smoking', 'quitting time!',
    // "cancel" about the appointment or order, not about texts. Decided: none — a request about the
    // appointment; opting out would also stop the confirmation the customer is waiting for. Bare
    // CANCEL (an FCC word) still opts out.
    'cancel my appointment', 'please don\'t cancel my appointment', 'Cancel my order', 'can I cancel my reservation?',
    'I need to cancel my appointment for Tuesday', 'cancel tomorrow', 'cancellation policy?',
    // "remove", "take me off" about something else. Decided: the waitlist is a service the customer
    // leaves, not the list the texts come from.
    'remove the olives from my order', 'please remove the extra charge', 'can you remove it', 'take me off the waitlist',
    'take me off the wait list please', 'remove me from the waitlist', 'take 10% off?', 'get me off at the next stop',
    // "unsubscribe", "opt out" about something else, or negated
    "don't unsubscribe me", 'I did not unsubscribe', 'can I opt out of the extended warranty?',
    // Contact preferences, not revocations
    "don't text me before 9am", 'dont text me until monday', 'stop texting me so early', 'stop texting me at night', "don't call me, text me instead", 'please text, dont call',
    'text me after 5', "you don't text me anymore :(", "I don't text much, call me",
    // Leave/lose about something else
    'did you lose my number?', 'I think you lost my number',
    // Opt-in and help words that are not the keyword alone
    'start time?', 'What time does it start?', 'can we start at 10', 'restart', 'Yes, see you Tuesday',
    'yes 2pm works', 'I need help with my order', 'more info on the sale?', 'Can I get help with my order?',
    'help yourself lol',
    // Other everyday replies
    'Remind me tomorrow', 'Thank you so much!', 'I gave you the wrong number for my wife, it is 555-0100',
    'not spam, I promise', 'no stopping us now', 'Do you deliver to Stop & Shop?',
    'I will stop in later today', 'stop & shop', 'can you send me the invoice', "don't send the package yet",
  ]),
  ...section('none', 'es', [
    'gracias', 'ok gracias', 'no gracias', 'quién es?', 'sí, mañana a las 3', 'para mañana está bien',
    'para cuándo está listo?', 'es para mi hermana', 'el precio es muy alto', 'alto de 2 metros',
    'la baja de precio es hasta cuándo?', 'cancelar mi cita', 'quiero cancelar mi cita del martes',
    'no cancelen mi cita por favor', 'quítenme la cebolla', 'quítenme de la lista de espera',
    'no me manden el paquete todavía', 'no me escriban antes de las 9', 'no dejen de escribirme',
    'no puedo parar de reír', 'si no me mandan la factura, llamo', 'no me llamen, mejor por mensaje',
  ]),
  // ── More real-world replies, by outcome ──────────────────────────────────────────────
  ...section('opt_out_high', 'en', [
    "STOP!!! I've asked 3 times", 'Stop please, I am not the person you are looking for', 'no longer interested please remove',
    'How do I get off this list?', 'how do i get off your list', 'Keep me off your list', 'STOP HELP', 'Yes stop',
    'Yes, unsubscribe', 'who is this stop', 'wrong number stop', 'stop wrong number', 'stop who is this', 'NO STOP',
    'No! Stop!', 'NO. STOP. TEXTING. ME.', 'stopit', 'Unsubscribe STOP', 'STOP STOP STOP STOP STOP', 'stop!stop!stop!',
    '❌ STOP', 'Remove from list', 'remove from list please', 'remove from texts', 'off list', 'Take off list',
    'Please take off list', "I've had enough of these texts", 'You can stop the delivery reminders, I got it',
    'Stop sending reminders', 'No reminders please', "don't send me reminders", "I don't need reminders",
    'Stop sending me reminders, I know when my appointment is', 'Stop the spam', 'STOP SPAM', 'No spam please',
    'Unsubscribe?', 'is this how I unsubscribe?', 'Can I stop the marketing ones?', 'No text please', 'no texting',
    'This person passed away, remove this number', 'She passed away, please stop texting this number',
    'Take my name off', 'remove my name from your list', 'Delete my info', 'Erase me', 'Opt out of marketing texts',
    'I opt out', 'I hereby revoke consent to contact me', 'revoke consent', "Not interested, don't text again",
    "Don't text again", 'dont msg', 'Never contact me again', 'Unsubscribe me now!!!', 'unsub me', 'Unsub pls',
    'Unsubscribe from this', 'Please unsubscribe me from this list thank you', 'take me off!!',
    'Take me off your list immediately', 'Remove me asap', 'Please remove', 'remove me, thanks',
    'REMOVE ME FROM YOUR LIST', 'Remove me from your list, I never signed up', 'This is not Maria. Please stop texting',
    'stop contacting me or I\'ll sue', 'Please remove me from your contact list, thank you', 'Kindly remove my number',
    "Please don't text this number again", 'Pls no more msgs', 'NO MORE TEXTS!!!!', 'Quit sending me this crap',
    'stop spamming my phone', "I'd like to stop receiving texts", 'Stop the marketing texts but keep my appointment reminders',
    'Cancel my order and stop texting me', 'Please cancel my appointment and remove me from your list',
    "Who's this? Remove me", 'Stop it!! Who is this??', 'I did not sign up for this, please stop', 'I SAID STOP',
    'Thank you, but please stop texting me.', 'not interested stop texting', 'Stop texting me Bob', 'GDPR request delete me',
  ]),
  ...section('opt_out_high_all', 'en', ['opt me out of everything', 'STOP all', 'Stopall please', 'stop all texts now', 'Remove me from everything', 'End all messages', 'Cancel all texts']),
  ...section('opt_out_high', 'es', [
    'Hola, ya no me manden mensajes por favor', 'Por favor ya no me envíen nada', 'No quiero recibir publicidad',
    'No quiero promociones', 'Ya no quiero sus ofertas', 'No me interesan sus ofertas', 'No me interesa, ya no me escriban',
    'Quien es? No me escriban', 'STOP, gracias', 'Para, por favor', 'Basta ya de mensajes', 'Ya basta de tanto mensaje',
    'No más promociones', 'Dejen de mandar mensajes', 'Dejen de mandarme promociones', 'Deja de molestar',
    'No me molesten mas, gracias', 'Ya no me molesten', 'Sáquenme de la lista', 'Sacame de esta lista',
    'Quiero que me saquen de la lista', 'Quiero que me quiten de la lista', 'Me pueden quitar de la lista?',
    'Pueden borrar mi número?', 'Borren este número por favor', 'Eliminen mis datos', 'Cancelen los mensajes',
    'Cancelar suscripción por favor', 'Darme de baja por favor', 'Dar de baja este número', 'BAJA BAJA', 'baja gracias',
    'ALTO YA', 'Alto, no me manden más', 'Si, baja', 'No, gracias. No me vuelvan a escribir', 'No vuelvan a escribir',
    'Nunca mas me escriban', 'Ni me escriban', 'Desuscribirme por favor', 'Quiero salir de la lista',
    'No deseo recibir más mensajes', 'No deseo más mensajes', 'No necesito sus mensajes', 'Ya no necesito recordatorios',
    'No me manden recordatorios', 'Dejen de llamar y de escribir', 'Paren ya', 'Paren de escribirme',
    'Detengan los mensajes', 'Ya no me manden nada', 'no me contacten mas', 'Darse de baja', 'Me quiero dar de baja',
    'Quiero desuscribirme', 'Elimíname de su lista', 'Detente',
  ]),
  ...section('opt_out_high_all', 'es', ['Quiero darme de baja de todo']),
  ...section('opt_out_ambiguous', 'en', [
    'i dont want these anymore', "Maria doesn't have this number anymore", 'this number is no longer marias',
    'end it', 'unsubscribe from emails', 'remove me from email list', 'Unsubscribe from the newsletter', 'Cancel everything',
    'Please remove me from the group text', 'Remove me from the carpool list for Tuesday', 'How do I stop?',
    'Stop texting me every day', 'quit texting me every hour', 'No more, I\'m moving away', 'I moved, please remove',
    "I'm moving to Canada, stop", 'Deceased', 'He passed away', 'Not my number', 'Delete my data', 'Forget me',
    'I want my data deleted', 'I revoke', 'never again', 'NOT INTERESTED!!!!!', 'not interested anymore',
    'Not interested at this time', 'Wrong person', 'wrong #', 'Please stop texting my mom', 'Do not text my daughter',
    'Please stop texting my son, he is 12, text me instead', 'Oops wrong number sorry, meant to text my wife',
    "I'll have to cancel, sorry", 'can u cancel', 'Can you stop the subscription box for one month? Traveling',
    "I'd like to end my membership", 'Who is this and how did you get my number', 'I will report you to the FCC',
    'Reported as spam', 'Scam alert lol', 'never signed up for this', 'why do i keep getting these texts',
    "I can't talk right now, stop calling", 'Running late, stop calling me I\'m driving', 'No way! Stop! Really?',
    'Stop!! I\'ve been waiting for this sale!', 'Stop sending me the bill by mail, send by text',
    '😂 stop it', 'Enough is enough', 'No more please',
  ]),
  ...section('opt_out_ambiguous', 'es', [
    'Ella ya no tiene este número', 'Stop, no hablo inglés', 'PARA', 'Basta!', 'No más por favor, gracias',
    'Deja de escribir en mayúsculas', 'Cancela', 'Cancelen', 'Nunca más', 'Bloqueado', 'Los voy a bloquear',
    'Los voy a reportar', 'Esto es spam', 'Número equivocado, no soy Juan', 'Quiero cancelar', 'No me interesa',
    'Ya no quiero nada con ustedes',
  ]),
  ...section('help', 'en', ['Info', 'Información por favor', 'Help me please', 'info please']),
  ...section('opt_in', 'en', ['Start please!', 'UNSTOP 👍']),
  ...section('none', 'en', [
    "I'm driving with Do Not Disturb While Driving turned on. I'll see your message when I get where I'm going.",
    "I'm driving right now - I'll get back to you later", 'Can you end the call early?', 'Send me end of day updates please',
    'keep off the grass', 'Get off the bus at Main', 'Get me off at the next stop', 'stop the car', "Don't cancel, I'll be there",
    'Yes please keep me on the list', 'Add me to the list', 'Put me on the waitlist', 'I want to stay on the list',
    "please don't remove me", "Don't take me off the list!", "don't delete my number", "Wait, don't unsubscribe me",
    "I don't want paper statements", 'Can you stop the paper statements?', 'What happens if I reply stop?',
    'If I text STOP will I still get my appointment reminders?', 'Does STOP work for all your numbers?',
    'Please stop texting me so late at night', 'Stop texting me at 2am!!', 'Stop texting me on Sunday',
    'Can you stop texting me at 6am?', 'Who?', 'Not me', 'Dont know you', 'Not interested in buying',
    "I'm not interested in selling my house", "I'm not interested in the blue one, do you have red?",
    'Not interested in the 2pm slot, do you have anything later?',
    "I don't want to miss the sale, text me when it starts", "Please don't stop sending me the coupons, they're great",
    "Stop by anytime this week, we're open till 6", 'Hey we need to stop at the pharmacy on the way, is that ok?',
    'My card got declined can you stop the payment and try again', 'I want to cancel my order #4452 please',
    'Please remove item 3 from my cart', "Take me off the schedule for Friday, I'm sick",
    'Put me down for Saturday, and take me off Sunday', "Do you guys deliver? My kids won't stop asking for your pizza lol",
    'I told my husband to stop texting you, sorry about that', 'My son keeps texting this number by mistake, sorry',
    'Sorry wrong chat lol', 'The texts stopped coming, did something break?', 'I never got the text with the code',
    "I didn't get your message, can you resend?", "I don't get texts on this phone, email me instead",
    'Dont send it yet, I need to check with my wife', "don't send the technician until 3",
    "No more for me thanks, I'm full lol", 'No more appointments needed, all healed up! Thanks',
    'No more questions, thanks for your help', 'I have no more questions', 'Quit playing lol', 'End of story',
    'ending soon?', 'Unsubscribing from your emails but keep texting me', 'I unsubscribed from your emails, but texts are fine',
    'Please opt me in', 'How do I opt in?', 'Optional?', 'Can I opt out of the photo release?', 'Enough for two people?',
    'Is that enough?', "I'm interested! Send info", 'Who is this? Oh wait, the dentist, nevermind',
    "Who is this? I don't have this number saved", 'wrong time, can we do 4?', 'Great, remove the 3pm and book 4pm',
    'Delete my last message, typo', "Forget it, I'll come in person", 'Leave it on the porch please',
    'Leave me a voicemail instead', 'Lose the attitude', 'Stop being so nice haha',
    "omg stop that's hilarious",
    'Stop playing, is this real?', 'Stop lying lol', "Can't wait, don't stop the good deals coming", 'Unstoppable deals!',
    'Bus stop pickup ok?', 'Pit stop at 4', 'Last stop before home', 'Stop & go traffic, running late',
    'stop calling me, just text', 'The end!', 'Had enough', "I'm good", 'Bye', 'goodbye forever', 'delete', 'Off', 'NO!',
    'Subscribe', 'opt in', 'I need help', 'Stop my order', 'Stop payment please', 'STOP service', 'quit the gym',
    'Why did you stop texting me?', 'why did my texts stop?', 'I stopped getting texts, can you add me back?',
    'My texts stopped', 'Can you stop the automatic refills?', 'Cancel my 3pm', 'cancel appt', 'Remove the charge',
    'Can you remove me from the 10am class?', 'delete this', 'No need for reminders', "I don't need a reminder, I'll be there",
    "I won't need the appointment", 'Not anymore', "Please don't", 'Do not disturb', 'New number, who dis',
  ]),
  ...section('none', 'es', [
    'Quién es este número?', 'Para ti también', 'Para mañana', 'Es para el martes?', 'Dejé de ir al gimnasio',
    'Cancelen mi cita', 'Bajar', 'Baja el precio?', 'Ya bajó el precio?', 'Alto ahí', 'Si quiero', 'si, quiero información',
    'Necesito ayuda con mi pedido', 'Nel', 'Salir', 'No quiero nada', 'Ya no', 'cancelar mi pedido', 'cancelar cita',
    'para que hora?', '¿Para qué es esto?', 'No soy Maria',
  ]),
];
