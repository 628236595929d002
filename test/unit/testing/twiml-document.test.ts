import fc from "fast-check";
import twilio from "twilio";
import { parseTwiml } from "../../../src/testing/twiml-document";
import { TwimlError, type TwimlErrorCode, type TwimlNode } from "../../../src/testing/twiml-node";
import { MAX_DOCUMENT_BYTES } from "../../../src/testing/twiml-schema";

const { VoiceResponse } = twilio.twiml;
type Builder = Pick<InstanceType<typeof VoiceResponse>, "say" | "play" | "pause">;

const response = (body: string): string => `<Response>${body}</Response>`;

/** A compact, complete picture of a node: name{attributes}"text"[children]. */
function outline(node: TwimlNode): string {
  const attributes = Object.entries(node.attributes).map(([name, value]) => `${name}=${value}`);
  return (
    node.name +
    (attributes.length > 0 ? `{${attributes.join(",")}}` : "") +
    (node.text !== "" ? JSON.stringify(node.text) : "") +
    (node.children.length > 0 ? `[${node.children.map(outline).join(",")}]` : "")
  );
}

function parseError(xml: string): TwimlError {
  try {
    parseTwiml(xml);
  } catch (err) {
    if (err instanceof TwimlError) return err;
    throw err;
  }
  throw new Error(`expected a TwimlError for ${xml}`);
}

/** XML whitespace (space, tab, CR, LF) collapsed to single spaces and trimmed. */
const collapse = (text: string): string => text.split(/[ \t\r\n]+/).filter((word) => word !== "").join(" ");

describe("parseTwiml: valid documents", () => {
  it.each<[string, string, string]>([
    ["Say with voice, language and loop", response('<Say voice="Polly.Joanna" language="en-US" loop="2">Hello there</Say>'), 'Say{voice=Polly.Joanna,language=en-US,loop=2}"Hello there"'],
    ["Play looping forever", response('<Play loop="0">https://example.com/a.mp3</Play>'), 'Play{loop=0}"https://example.com/a.mp3"'],
    ["Play with digits and no URL", response('<Play digits="ww12#"/>'), "Play{digits=ww12#}"],
    ["Pause with a length", response('<Pause length="3"/>'), "Pause{length=3}"],
    [
      "Gather with typical attributes and Say, Play, Pause inside",
      response(
        '<Gather action="/menu" method="get" numDigits="1" timeout="0" finishOnKey="" input="speech dtmf" speechTimeout="auto" actionOnEmptyResult="true">' +
          "<Say>Press one</Say><Pause/><Play>/beep.wav</Play></Gather>",
      ),
      'Gather{action=/menu,method=get,numDigits=1,timeout=0,finishOnKey=,input=speech dtmf,speechTimeout=auto,actionOnEmptyResult=true}"Press one /beep.wav"[Say"Press one",Pause,Play"/beep.wav"]',
    ],
    ["Gather with finishOnKey * and a numeric speechTimeout", response('<Gather finishOnKey="*" speechTimeout="0" input="dtmf"/>'), "Gather{finishOnKey=*,speechTimeout=0,input=dtmf}"],
    [
      "Record with typical attributes",
      response('<Record action="/rec" maxLength="30" timeout="5" finishOnKey="*#" playBeep="false" transcribe="TRUE" trim="do-not-trim"/>'),
      "Record{action=/rec,maxLength=30,timeout=5,finishOnKey=*#,playBeep=false,transcribe=TRUE,trim=do-not-trim}",
    ],
    ["Redirect with a lower-case method, text trimmed", response('<Redirect method="get">\n  /next?a=1&amp;b=2  \n</Redirect>'), 'Redirect{method=get}"/next?a=1&b=2"'],
    ["Hangup, Leave and Echo", response("<Hangup/><Leave/><Echo/>"), "Hangup,Leave,Echo"],
    ["Hangup and Reject with Parameter (as the twilio typings allow)", response('<Hangup><Parameter name="a" value="1"/></Hangup><Reject reason="busy"/>'), "Hangup[Parameter{name=a,value=1}],Reject{reason=busy}"],
    [
      "Dial with a number and typical attributes",
      response('<Dial callerId="+15550001111" timeout="20" timeLimit="600" record="true" answerOnBridge="true" hangupOnStar="false" action="/after">+15551234567</Dial>'),
      'Dial{callerId=+15550001111,timeout=20,timeLimit=600,record=true,answerOnBridge=true,hangupOnStar=false,action=/after}"+15551234567"',
    ],
    [
      "Dial with nested nouns",
      response(
        "<Dial>" +
          '<Number sendDigits="ww1" statusCallbackEvent="initiated ringing" statusCallbackMethod="GET">+15551234567</Number>' +
          '<Client><Identity>alice</Identity><Parameter name="k" value="v"/></Client>' +
          '<Conference startConferenceOnEnter="true" beep="onEnter" maxParticipants="10">Room 1</Conference>' +
          "<Queue url=\"/about-to-connect\">support</Queue>" +
          '<Sip username="u" password="p"><Headers><Header name="X-A" value="1"/></Headers><Uri priority="1">sip:a@example.com</Uri></Sip>' +
          "<Sim>DE0123</Sim><Application><ApplicationSid>AP0123</ApplicationSid></Application><WhatsApp>+15550000000</WhatsApp>" +
          "</Dial>",
      ),
      'Dial"+15551234567 alice Room 1 support sip:a@example.com DE0123 AP0123 +15550000000"[' +
        'Number{sendDigits=ww1,statusCallbackEvent=initiated ringing,statusCallbackMethod=GET}"+15551234567",' +
        'Client"alice"[Identity"alice",Parameter{name=k,value=v}],' +
        'Conference{startConferenceOnEnter=true,beep=onEnter,maxParticipants=10}"Room 1",' +
        'Queue{url=/about-to-connect}"support",' +
        'Sip{username=u,password=p}"sip:a@example.com"[Headers[Header{name=X-A,value=1}],Uri{priority=1}"sip:a@example.com"],' +
        'Sim"DE0123",Application"AP0123"[ApplicationSid"AP0123"],WhatsApp"+15550000000"]',
    ],
    ["Enqueue with a queue name", response('<Enqueue waitUrl="/hold" waitUrlMethod="GET" action="/left">support</Enqueue>'), 'Enqueue{waitUrl=/hold,waitUrlMethod=GET,action=/left}"support"'],
    ["Enqueue with a workflowSid and a Task", response('<Enqueue workflowSid="WW1"><Task priority="5">{"lang":"en"}</Task></Enqueue>'), 'Enqueue{workflowSid=WW1}"{\\"lang\\":\\"en\\"}"[Task{priority=5}"{\\"lang\\":\\"en\\"}"]'],
    [
      "Connect, Start and Stop with their nouns",
      response(
        '<Start><Stream name="s1" url="wss://x.example/s"><Parameter name="a" value="b"/></Stream><Transcription track="both_tracks"/></Start>' +
          '<Connect action="/done"><Stream url="wss://x.example/c"/></Connect><Stop><Stream name="s1"/></Stop>',
      ),
      "Start[Stream{name=s1,url=wss://x.example/s}[Parameter{name=a,value=b}],Transcription{track=both_tracks}],Connect{action=/done}[Stream{url=wss://x.example/c}],Stop[Stream{name=s1}]",
    ],
    ["Refer with a SIP URI", response('<Refer action="/r"><Sip>sip:alice@example.com</Sip></Refer>'), 'Refer{action=/r}"sip:alice@example.com"[Sip"sip:alice@example.com"]'],
    [
      "Pay with Prompt and Parameter",
      response('<Pay chargeAmount="10.00" timeout="5" securityCode="true"><Prompt for="payment-card-number"><Say>Card number</Say></Prompt><Parameter name="a" value="b"/></Pay>'),
      'Pay{chargeAmount=10.00,timeout=5,securityCode=true}"Card number"[Prompt{for=payment-card-number}"Card number"[Say"Card number"],Parameter{name=a,value=b}]',
    ],
    ["Sms (deprecated, still in the typings)", response('<Sms to="+15550000000">Thanks</Sms>'), 'Sms{to=+15550000000}"Thanks"'],
    ["an empty Response", "<Response/>", "Response"],
    ["a DOCTYPE without entity references", '<!DOCTYPE Response><Response><Hangup/></Response>', "Hangup"],
    ["the legacy version attribute on Response", '<Response version="2010-04-01"/>', "Response{version=2010-04-01}"],
  ])("%s", (_name, xml, expected) => {
    const root = parseTwiml(xml);
    const inner = root.children.map(outline).join(",");
    expect(root.name === "Response" && root.children.length > 0 ? inner : outline(root)).toBe(expected);
  });

  it("gives Say the spoken text of its SSML children, with word breaks at break, s and p", () => {
    const root = parseTwiml(
      response(
        '<Say voice="Polly.Joanna">Hello<break time="1s"/>there. <emphasis level="strong">Really</emphasis> <prosody rate="slow">slow</prosody>' +
          '<s>One</s><s>Two</s><p>Para <w role="amazon:VB">read</w></p><lang xml:lang="fr-FR">Bonjour</lang> ' +
          '<say-as interpret-as="telephone">555</say-as> <sub alias="World Wide Web">WWW</sub> <phoneme alphabet="ipa" ph="pɪˈkɑːn">pecan</phoneme> ' +
          '<amazon:effect name="whispered">psst</amazon:effect> <amazon:domain name="news">News</amazon:domain></Say>',
      ),
    );
    const say = root.children[0]!;
    expect(say.text).toBe("Hello there. Really slow One Two Para read Bonjour 555 WWW pecan psst News");
    expect(say.children.map((child) => child.name)).toEqual([
      "break", "emphasis", "prosody", "s", "s", "p", "lang", "say-as", "sub", "phoneme", "amazon:effect", "amazon:domain",
    ]);
    expect(say.children[6]!.attributes).toEqual({ "xml:lang": "fr-FR" });
    expect(say.children[5]!.children[0]!.path).toBe("Response/Say[0]/p[0]/w[0]");
  });

  it("accepts an XML declaration, comments, processing instructions, a BOM and CRLF line ends", () => {
    const xml =
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\r\n<!-- generated -->\r\n<Response>\r\n  <!-- greet -->\r\n  <Say>Hi\r\n  there</Say>\r\n  <?app note?>\r\n</Response>\r\n<!-- end -->\r\n';
    const root = parseTwiml(xml);
    expect(outline(root)).toBe('Response"Hi there"[Say"Hi there"]');
  });

  it("decodes entities, character references and CDATA in text and attributes", () => {
    const root = parseTwiml(
      response(
        '<Say voice="a&amp;b &lt;&gt; &quot;q&quot; &apos;s&apos; &#65;&#x263A;&#x1F600;">Tom &amp; Jerry &lt;3 &#8364;5 <![CDATA[<raw> & stuff]]> &gt;</Say>',
      ),
    );
    const say = root.children[0]!;
    expect(say.attributes.voice).toBe("a&b <> \"q\" 's' A☺😀");
    expect(say.text).toBe("Tom & Jerry <3 €5 <raw> & stuff >");
  });

  it("normalizes literal whitespace in attribute values but keeps referenced whitespace", () => {
    const root = parseTwiml(response('<Redirect method="POST">/x</Redirect><Say voice="a\tb\nc&#10;d">x</Say>'));
    expect(root.children[1]!.attributes.voice).toBe("a b c\nd");
  });

  it("numbers paths by position among same-named siblings", () => {
    const root = parseTwiml(response("<Say>a</Say><Pause/><Say>b</Say><Gather><Say>c</Say><Play>u</Play><Say>d</Say></Gather>"));
    expect(root.path).toBe("Response");
    expect(root.children.map((child) => child.path)).toEqual(["Response/Say[0]", "Response/Pause[0]", "Response/Say[1]", "Response/Gather[0]"]);
    expect(root.children[3]!.children.map((child) => child.path)).toEqual(["Response/Gather[0]/Say[0]", "Response/Gather[0]/Play[0]", "Response/Gather[0]/Say[1]"]);
  });

  it("returns a frozen tree", () => {
    const root = parseTwiml(response('<Say loop="1">x</Say>'));
    expect(Object.isFrozen(root)).toBe(true);
    expect(Object.isFrozen(root.children)).toBe(true);
    expect(Object.isFrozen(root.children[0]!.attributes)).toBe(true);
  });

  it("accepts a document of exactly 64 kB", () => {
    const shell = response("<Say></Say>");
    const xml = response(`<Say>${"a".repeat(MAX_DOCUMENT_BYTES - Buffer.byteLength(shell))}</Say>`);
    expect(Buffer.byteLength(xml)).toBe(65536);
    expect(parseTwiml(xml).children[0]!.text).toHaveLength(MAX_DOCUMENT_BYTES - Buffer.byteLength(shell));
  });

  it("parses the example app's TwiML (Gather with Play and Say, then Redirect)", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather action="/process-entry" numDigits="1">
    <Play>https://example.com/static/welcome.wav</Play>
    <Say>Welcome to Foo Corp! To hear our lunch specials, press one.</Say>
  </Gather>
  <Redirect method="POST">/process-entry</Redirect>
</Response>`;
    expect(parseTwiml(xml).children.map(outline)).toEqual([
      'Gather{action=/process-entry,numDigits=1}"https://example.com/static/welcome.wav Welcome to Foo Corp! To hear our lunch specials, press one."[Play"https://example.com/static/welcome.wav",Say"Welcome to Foo Corp! To hear our lunch specials, press one."]',
      'Redirect{method=POST}"/process-entry"',
    ]);
  });
});

describe("parseTwiml: not well-formed (12100)", () => {
  it.each<[string, string, string[]]>([
    ["mismatched tags", response("<Say>x</Gather>"), ["Expected closing tag 'Say'", "line 1, column 17"]],
    ["an unclosed element", "<Response><Say>x</Say>", ["Unclosed tag 'Response'", "line 1"]],
    ["an error on a later line", '<Response>\n  <Say>ok</Say>\n  <Pause length=3/>\n</Response>', ["line 3"]],
    ["a duplicate attribute", response('<Say loop="1" loop="2">x</Say>'), ["repeated"]],
    ["an unknown named entity", response("<Say>caf&eacute;</Say>"), ['undefined entity "&eacute;"', "Response/Say[0]", "line 1, column 19"]],
    ["an HTML entity", response("<Say>a&nbsp;b</Say>"), ['"&nbsp;"']],
    ["a bare & in text", response("<Say>Tom & Jerry</Say>"), ["line 1, column 20"]],
    ["a bare & in an attribute", response('<Say>x</Say><Redirect method="POST" foo="a=1&b=2">/x</Redirect>'), ['"&" must be escaped as "&amp;" at Response/Redirect[0] (line 1, column 55)']],
    ["a reference to NUL", response("<Say>&#0;</Say>"), ['"&#0;" is not a valid character reference']],
    ["a reference to a surrogate", response("<Say>&#xD800;</Say>"), ['"&#xD800;"']],
    ["a malformed numeric reference", response("<Say>&#12a;</Say>"), ["line 1, column 16"]],
    ["a reference beyond Unicode", response("<Say>&#x110000;</Say>"), ['"&#x110000;"']],
    ["< in an attribute value", response('<Say voice="a<b">x</Say>'), ['"<" is not allowed in the value of attribute voice']],
    ["]]> in text", response("<Say>a ]]> b</Say>"), ['"]]>" is not allowed in text', "Response/Say[0]"]],
    ["a control character", response("<Say>bell\u0007</Say>"), ["U+0007", "line 1, column 20"]],
    ["text after the root", "<Response/>\ntrailing", ["content after the root element </Response>", "line 2, column 1"]],
    ["a second root element", "<Response/><Response/>", ["second root element <Response>"]],
    ["text before the root", "oops<Response/>", ["line 1, column 1"]],
    ["an empty document", "", ["the document is empty"]],
    ["a whitespace-only document", " \n\t ", ["the document is empty"]],
    ["whitespace before the XML declaration", '  <?xml version="1.0"?><Response/>', ["XML declaration allowed only at the start"]],
    ["an HTML error page", "<!DOCTYPE html><html><body><p>Internal error<br></p></body></html>", ["Expected closing tag 'br'"]],
    ["plain text", "Internal Server Error", ["line 1, column 1"]],
    ["a JSON body", '{"error": "boom"}', ["line 1, column 1"]],
    ["an unquoted attribute", response("<Pause length=2/>"), ["line 1"]],
    [
      "entity expansion (billion laughs): entities are never expanded",
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><Response><Say>&lol3;</Say></Response>',
      ['undefined entity "&lol3;"', "Response/Say[0]", "DOCTYPE entities are not expanded"],
    ],
  ])("rejects %s", (_name, xml, fragments) => {
    const err = parseError(xml);
    expect(err.code).toBe(12100);
    expect(err.message).toMatch(/^Twilio error 12100: /);
    for (const fragment of fragments) expect(err.message).toContain(fragment);
  });

  it("rejects a document over 64 kB, counting UTF-8 bytes (Twilio's 11750 limit)", () => {
    const ascii = parseError(response(`<Say>${"a".repeat(MAX_DOCUMENT_BYTES)}</Say>`));
    expect(ascii.code).toBe(11750);
    expect(ascii.message).toContain("larger than 64 kB (65536 bytes)");
    expect(ascii.message).toContain("Twilio error 11750");
    // 40,000 characters but 80,000 bytes.
    const accented = parseError(response(`<Say>${"é".repeat(40_000)}</Say>`));
    expect(accented.code).toBe(11750);
    expect(accented.message).toContain(`the document is ${Buffer.byteLength(response(`<Say>${"é".repeat(40_000)}</Say>`))} bytes`);
  });

  it("reports the element path on reference errors", () => {
    expect(parseError(response("<Gather><Say>x &bogus; y</Say></Gather>")).element).toBe("Response/Gather[0]/Say[0]");
  });

  it("reports well-formedness problems before schema problems later in the document", () => {
    // <Foo> comes first but the bad reference makes the whole document unparseable.
    expect(parseError(response("<Foo/><Say>&bad;</Say>")).code).toBe(12100);
  });

  it("rejects nesting deeper than the parser's limit of 100 elements", () => {
    const err = parseError(response(`<Say>${"<prosody>".repeat(120)}x${"</prosody>".repeat(120)}</Say>`));
    expect(err.code).toBe(12100);
    expect(err.message).toContain("Maximum nested tags exceeded");
  });

  it("rejects a non-string document as 12100", () => {
    expect(parseError(undefined as unknown as string).code).toBe(12100);
  });
});

describe("parseTwiml: schema violations (12200)", () => {
  it("names the element path and what the parent may contain (Dial inside Gather)", () => {
    const err = parseError(response("<Gather><Dial>+15551234567</Dial></Gather>"));
    expect(err.code).toBe(12200);
    expect(err.element).toBe("Response/Gather[0]/Dial[0]");
    expect(err.message).toBe(
      "Twilio error 12200: <Dial> is not allowed inside <Gather> at Response/Gather[0]/Dial[0]; <Gather> may contain Say, Play, Pause",
    );
  });

  it.each<[string, string, TwimlErrorCode, string[]]>([
    // root
    ["a root other than Response", "<Responses><Say>x</Say></Responses>", 12200, ["root element must be <Response>, not <Responses>"]],
    ["a well-formed HTML page", "<html><body><p>Error</p></body></html>", 12200, ["root element must be <Response>, not <html>"]],
    // unknown or misplaced verbs
    ["a lower-case verb", response("<say>x</say>"), 12200, ["<say> is not a TwiML voice element", "Response/say[0]", "case-sensitive", "<Response> may contain Say, Play, Pause, Gather"]],
    ["an unknown verb", response("<Say>a</Say><Speak>x</Speak>"), 12200, ["<Speak> is not a TwiML voice element", "Response/Speak[0]"]],
    ["Message (a messaging verb)", response("<Message>hi</Message>"), 12200, ["<Message>", "Response/Message[0]"]],
    ["Queue outside Dial", response("<Queue>support</Queue>"), 12200, ["<Queue> is not allowed inside <Response> at Response/Queue[0]"]],
    ["Prompt outside Pay", response("<Prompt/>"), 12200, ["<Prompt> is not allowed inside <Response>"]],
    ["Number outside Dial", response("<Number>+1555</Number>"), 12200, ["<Number> is not allowed inside <Response>"]],
    ["Stream directly under Response", response('<Stream url="wss://x"/>'), 12200, ["<Stream> is not allowed inside <Response>"]],
    // nesting
    ["Gather inside Gather", response("<Gather><Gather/></Gather>"), 12200, ["<Gather> is not allowed inside <Gather> at Response/Gather[0]/Gather[0]"]],
    ["Redirect inside Gather", response("<Gather><Redirect>/x</Redirect></Gather>"), 12200, ["Response/Gather[0]/Redirect[0]", "<Gather> may contain Say, Play, Pause"]],
    ["a verb inside Say", response("<Say>a<Play>u</Play></Say>"), 12200, ["Response/Say[0]/Play[0]", "<Say> may contain break, emphasis, lang, p, phoneme, prosody, s, say-as, sub, w, amazon:effect, amazon:domain"]],
    ["speak inside Say", response("<Say><speak>x</speak></Say>"), 12200, ["<speak> is not a TwiML voice element", "Response/Say[0]/speak[0]"]],
    ["p inside w (SSML nesting)", response("<Say><w><p>x</p></w></Say>"), 12200, ["<p> is not allowed inside <w> at Response/Say[0]/w[0]/p[0]"]],
    ["an element inside Play", response("<Play>u<Say>x</Say></Play>"), 12200, ["Response/Play[0]/Say[0]", "<Play> may not contain elements"]],
    ["an element inside Pause", response("<Pause><Say>x</Say></Pause>"), 12200, ["<Pause> may not contain elements"]],
    ["an element inside Redirect", response("<Redirect>/x<Say>x</Say></Redirect>"), 12200, ["<Redirect> may not contain elements"]],
    ["an element inside Record", response("<Record><Say>x</Say></Record>"), 12200, ["<Record> may not contain elements"]],
    ["an element inside Leave", response("<Leave><Say>x</Say></Leave>"), 12200, ["<Leave> may not contain elements"]],
    ["Say inside Hangup", response("<Hangup><Say>bye</Say></Hangup>"), 12200, ["<Hangup> may contain Parameter"]],
    ["Say inside Reject", response("<Reject><Say>no</Say></Reject>"), 12200, ["<Reject> may contain Parameter"]],
    ["Say inside Enqueue", response("<Enqueue>q<Say>x</Say></Enqueue>"), 12200, ["<Enqueue> may contain Task"]],
    ["Say inside Dial", response("<Dial><Say>x</Say></Dial>"), 12200, ["<Dial> may contain Number, Client, Conference, Queue, Sip, Sim, Application, WhatsApp"]],
    ["Say inside Connect", response("<Connect><Say>x</Say></Connect>"), 12200, ["<Connect> may contain AiSession"]],
    ["Recording inside Stop", response("<Stop><Recording/></Stop>"), 12200, ["<Stop> may contain Siprec, Stream, Transcription"]],
    ["Number inside Refer", response("<Refer><Number>+1</Number></Refer>"), 12200, ["<Refer> may contain Sip"]],
    ["Say inside Pay", response("<Pay><Say>x</Say></Pay>"), 12200, ["<Pay> may contain Parameter, Prompt"]],
    // text where none is allowed
    ["text directly inside Gather", response("<Gather>Press 1</Gather>"), 12200, ['text "Press 1" is not allowed inside <Gather> at Response/Gather[0]']],
    ["text directly inside Response", response("Hello<Say>x</Say>"), 12200, ['text "Hello" is not allowed inside <Response> at Response']],
    ["text inside Pause", response("<Pause>5</Pause>"), 12200, ['text "5" is not allowed inside <Pause>']],
    // unknown attributes
    ["an unknown attribute on Say", response('<Say volume="loud">x</Say>'), 12200, ['unknown attribute "volume" on <Say> at Response/Say[0]', "<Say> accepts language, loop, voice"]],
    ["a mis-cased attribute on Gather", response('<Gather numdigits="1"/>'), 12200, ['unknown attribute "numdigits" on <Gather>', "numDigits"]],
    ["any attribute on Hangup", response('<Hangup reason="done"/>'), 12200, ['unknown attribute "reason" on <Hangup>', "<Hangup> takes no attributes"]],
    ["an unknown attribute on a Dial noun", response('<Dial><Number foo="1">+1555</Number></Dial>'), 12200, ['unknown attribute "foo" on <Number> at Response/Dial[0]/Number[0]']],
    ["xmlns on Response", '<Response xmlns="urn:x"/>', 12200, ['unknown attribute "xmlns" on <Response>']],
    // attribute values
    ["method PUT on Redirect", response('<Redirect method="PUT">/x</Redirect>'), 12200, ['attribute method="PUT" on <Redirect> at Response/Redirect[0] must be GET or POST']],
    ["waitUrlMethod DELETE on Enqueue", response('<Enqueue waitUrlMethod="DELETE">q</Enqueue>'), 12200, ['waitUrlMethod="DELETE"', "must be GET or POST"]],
    ["statusCallbackMethod on Number", response('<Dial><Number statusCallbackMethod="PATCH">+1</Number></Dial>'), 12200, ['statusCallbackMethod="PATCH" on <Number>']],
    ["numDigits not a number", response('<Gather numDigits="one"/>'), 12200, ['numDigits="one" on <Gather> at Response/Gather[0] must be a whole number >= 1']],
    ["numDigits 0", response('<Gather numDigits="0"/>'), 12200, ['numDigits="0"', ">= 1"]],
    ["numDigits negative", response('<Gather numDigits="-1"/>'), 12200, ['numDigits="-1"']],
    ["numDigits fractional", response('<Gather numDigits="1.5"/>'), 12200, ['numDigits="1.5"']],
    ["timeout negative", response('<Gather timeout="-5"/>'), 12200, ['timeout="-5" on <Gather>', "must be a whole number >= 0"]],
    ["speechTimeout neither integer nor auto", response('<Gather speechTimeout="soon"/>'), 12200, ['speechTimeout="soon"', "whole number >= 0 or auto"]],
    ["loop not a number on Say", response('<Say loop="forever">x</Say>'), 12200, ['loop="forever" on <Say>']],
    ["loop negative on Play", response('<Play loop="-1">u</Play>'), 12200, ['loop="-1" on <Play>']],
    ["Pause length 0", response('<Pause length="0"/>'), 12200, ['length="0" on <Pause>', ">= 1"]],
    ["Record maxLength not a number", response('<Record maxLength="ten"/>'), 12200, ['maxLength="ten" on <Record>']],
    ["Dial timeout not a number", response('<Dial timeout="30s">+1</Dial>'), 12200, ['timeout="30s" on <Dial>']],
    ["input not dtmf/speech", response('<Gather input="voice"/>'), 12200, ['input="voice" on <Gather>', "dtmf, speech"]],
    ["input repeated", response('<Gather input="dtmf dtmf"/>'), 12200, ['input="dtmf dtmf"']],
    ["input empty", response('<Gather input=""/>'), 12200, ['input=""']],
    ["finishOnKey with two keys on Gather", response('<Gather finishOnKey="##"/>'), 12200, ['finishOnKey="##" on <Gather>', "one key (0-9, #, *) or empty"]],
    ["finishOnKey not a key", response('<Gather finishOnKey="a"/>'), 12200, ['finishOnKey="a"']],
    ["finishOnKey not keys on Record", response('<Record finishOnKey="1x"/>'), 12200, ['finishOnKey="1x" on <Record>', "keys from 0-9, #, *"]],
    ["a boolean that is yes", response('<Gather actionOnEmptyResult="yes"/>'), 12200, ['actionOnEmptyResult="yes" on <Gather>', "must be true or false"]],
    ["a boolean that is 1", response('<Record playBeep="1"/>'), 12200, ['playBeep="1" on <Record>']],
    ["Reject reason not rejected/busy", response('<Reject reason="declined"/>'), 12200, ['reason="declined" on <Reject>', "must be one of rejected, busy"]],
    ["Dial record unknown", response('<Dial record="always">+1</Dial>'), 12200, ['record="always" on <Dial>', "record-from-answer"]],
    ["Record trim unknown", response('<Record trim="none"/>'), 12200, ['trim="none" on <Record>', "trim-silence, do-not-trim"]],
    // required content
    ["Redirect without a URL", response("<Redirect/>"), 12200, ["<Redirect> at Response/Redirect[0] needs a URL"]],
    ["Redirect with only whitespace", response("<Redirect>  \n </Redirect>"), 12200, ["<Redirect> at Response/Redirect[0] needs a URL"]],
    ["Play without a URL or digits", response("<Play/>"), 12200, ["<Play> at Response/Play[0] needs a media URL", "or a digits attribute"]],
    ["Enqueue without a name or workflowSid", response("<Enqueue/>"), 12200, ["<Enqueue> at Response/Enqueue[0] needs a queue name", "workflowSid"]],
    ["Dial without a number or noun", response('<Dial timeout="10"/>'), 12200, ["<Dial> at Response/Dial[0] needs a phone number", "<Number>"]],
    ["an empty Number", response("<Dial><Number/></Dial>"), 12200, ["<Number> at Response/Dial[0]/Number[0] needs a phone number"]],
    ["an empty Conference", response("<Dial><Conference/></Dial>"), 12200, ["needs a conference name"]],
    ["a Client without identity", response('<Dial><Client><Parameter name="a" value="b"/></Client></Dial>'), 12200, ["needs a client identity", "<Identity>"]],
    // names the parser reserves
    ["an element named constructor", response("<constructor/>"), 12200, ["constructor"]],
  ])("rejects %s", (_name, xml, code, fragments) => {
    const err = parseError(xml);
    expect(err.code).toBe(code);
    for (const fragment of fragments) expect(err.message).toContain(fragment);
  });

  it("sets TwimlError.element to the offending element's path", () => {
    expect(parseError(response('<Gather><Say loop="x">a</Say></Gather>')).element).toBe("Response/Gather[0]/Say[0]");
    expect(parseError(response("<Say>a</Say><Say>b</Say><Redirect/>")).element).toBe("Response/Redirect[0]");
    expect(parseError("<html><body/></html>").element).toBe("html");
  });
});

// ------------------------------------------------------------------------------------------------
// Properties
// ------------------------------------------------------------------------------------------------

/** Characters XML 1.0 allows (no C0 controls but tab/CR/LF, no lone surrogates, no U+FFFE/FFFF). */
function isXmlText(text: string): boolean {
  for (const char of text) {
    const cp = char.codePointAt(0)!;
    const ok = cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || cp >= 0x10000;
    if (!ok) return false;
  }
  return true;
}

const xmlChar = fc.oneof(
  fc.constantFrom("&", "<", ">", '"', "'", "]", "]]>", ";", "#", " ", "\t", "\n", "\r", "&amp;", "é", "€", "😀"),
  fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }).filter(isXmlText),
);
const xmlText = fc.string({ unit: xmlChar, maxLength: 40 });

/** Escapes for element text; each special character as a named or a numeric reference. */
function escapeText(text: string, numeric: boolean): string {
  let out = "";
  for (const char of text) {
    if (char === "&" || char === "<" || char === ">") out += numeric ? `&#${char.codePointAt(0)!};` : { "&": "&amp;", "<": "&lt;", ">": "&gt;" }[char];
    else out += char;
  }
  return out;
}

/** Escapes for a double-quoted attribute, whitespace included, so the value survives exactly. */
function escapeAttribute(text: string): string {
  let out = "";
  for (const char of text) {
    if (char === "&") out += "&amp;";
    else if (char === "<") out += "&lt;";
    else if (char === '"') out += "&quot;";
    else if (char === "\t" || char === "\n" || char === "\r") out += `&#x${char.codePointAt(0)!.toString(16)};`;
    else out += char;
  }
  return out;
}

describe("parseTwiml: properties", () => {
  it("round-trips any escaped text inside <Say> to its whitespace-collapsed form", () => {
    fc.assert(
      fc.property(xmlText, fc.boolean(), (text, numeric) => {
        const say = parseTwiml(response(`<Say>${escapeText(text, numeric)}</Say>`)).children[0]!;
        expect(say.text).toBe(collapse(text));
      }),
      { numRuns: 100 },
    );
  });

  it("round-trips any escaped attribute value exactly", () => {
    fc.assert(
      fc.property(xmlText, (value) => {
        const say = parseTwiml(response(`<Say voice="${escapeAttribute(value)}">x</Say>`)).children[0]!;
        expect(say.attributes.voice).toBe(value);
      }),
      { numRuns: 100 },
    );
  });

  it("accepts numDigits exactly when it is a whole number >= 1", () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom("0", "1", "7", "-", "+", ".", " ", "e", "x"), maxLength: 4 }), (value) => {
        const xml = response(`<Gather numDigits="${value}"/>`);
        if (/^[0-9]+$/.test(value) && Number(value) >= 1) {
          expect(parseTwiml(xml).children[0]!.attributes.numDigits).toBe(value);
        } else {
          const err = parseError(xml);
          expect(err.code).toBe(12200);
          expect(err.message).toContain(`numDigits=${JSON.stringify(value)}`);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("rejects any element nested in a verb that takes none, naming its path", () => {
    const leafVerbs = fc.constantFrom(["Play", "u"], ["Pause", ""], ["Redirect", "/x"], ["Record", ""], ["Leave", ""], ["Echo", ""], ["Sms", "hi"]);
    const anyName = fc.constantFrom("Say", "Play", "Pause", "Gather", "Dial", "Number", "Parameter", "break", "Foo", "say");
    fc.assert(
      fc.property(leafVerbs, anyName, fc.nat(3), ([verb, text], child, before) => {
        const xml = response(`${"<Say>a</Say>".repeat(before)}<${verb}>${text}<${child}/></${verb}>`);
        const err = parseError(xml);
        expect(err.code).toBe(12200);
        expect(err.element).toBe(`Response/${verb}[0]/${child}[0]`);
        expect(err.message).toContain(`<${verb}> may not contain elements`);
      }),
      { numRuns: 60 },
    );
  });

  it("parses whatever twilio's VoiceResponse builds from random verbs, keeping verbs, attributes and text", () => {
    type Built = { name: string; text?: string; children?: string[] };
    const url = fc.webUrl();
    const words = xmlText.filter((text) => collapse(text) !== "");
    const prompt = fc.oneof(
      fc.record({ kind: fc.constant("say" as const), text: words, loop: fc.option(fc.nat(5), { nil: undefined }) }),
      fc.record({ kind: fc.constant("play" as const), url }),
      fc.record({ kind: fc.constant("pause" as const), length: fc.integer({ min: 1, max: 10 }) }),
    );
    const verb = fc.oneof(
      prompt,
      fc.record({
        kind: fc.constant("gather" as const),
        numDigits: fc.integer({ min: 1, max: 9 }),
        timeout: fc.nat(10),
        finishOnKey: fc.constantFrom("", "#", "*", "5"),
        input: fc.subarray(["dtmf", "speech"] as ("dtmf" | "speech")[], { minLength: 1 }),
        prompts: fc.array(prompt, { maxLength: 3 }),
      }),
      fc.record({ kind: fc.constant("redirect" as const), url, method: fc.constantFrom("GET", "POST") }),
      fc.record({ kind: fc.constant("dial" as const), number: fc.stringMatching(/^\+1[0-9]{10}$/), nested: fc.boolean(), timeout: fc.integer({ min: 5, max: 60 }) }),
      fc.record({ kind: fc.constant("record" as const), maxLength: fc.integer({ min: 1, max: 3600 }), playBeep: fc.boolean(), finishOnKey: fc.constantFrom("#", "*#", "1234567890*#") }),
      fc.record({ kind: fc.constant("enqueue" as const), name: fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/) }),
      fc.record({ kind: fc.constantFrom("hangup" as const, "leave" as const) }),
      fc.record({ kind: fc.constant("reject" as const), reason: fc.constantFrom("rejected" as const, "busy" as const) }),
    );
    fc.assert(
      fc.property(fc.array(verb, { maxLength: 6 }), (verbs) => {
        const twiml = new VoiceResponse();
        const expected: Built[] = [];
        type Prompt = (typeof verbs)[number] & { kind: "say" | "play" | "pause" };
        const addPrompt = (target: Builder, p: Prompt): Built => {
          if (p.kind === "say") {
            target.say(p.loop === undefined ? {} : { loop: p.loop }, p.text);
            return { name: "Say", text: collapse(p.text) };
          }
          if (p.kind === "play") {
            target.play({}, p.url);
            return { name: "Play", text: p.url };
          }
          target.pause({ length: p.length });
          return { name: "Pause" };
        };
        for (const v of verbs) {
          switch (v.kind) {
            case "say":
            case "play":
            case "pause":
              expected.push(addPrompt(twiml, v));
              break;
            case "gather": {
              const gather = twiml.gather({ numDigits: v.numDigits, timeout: v.timeout, finishOnKey: v.finishOnKey, input: v.input });
              expected.push({ name: "Gather", children: v.prompts.map((p) => addPrompt(gather, p).name) });
              break;
            }
            case "redirect":
              twiml.redirect({ method: v.method }, v.url);
              expected.push({ name: "Redirect", text: v.url });
              break;
            case "dial":
              if (v.nested) twiml.dial({ timeout: v.timeout }).number(v.number);
              else twiml.dial({ timeout: v.timeout }, v.number);
              expected.push({ name: "Dial", text: v.number, children: v.nested ? ["Number"] : [] });
              break;
            case "record":
              twiml.record({ maxLength: v.maxLength, playBeep: v.playBeep, finishOnKey: v.finishOnKey });
              expected.push({ name: "Record" });
              break;
            case "enqueue":
              twiml.enqueue(v.name);
              expected.push({ name: "Enqueue", text: v.name });
              break;
            case "hangup":
              twiml.hangup();
              expected.push({ name: "Hangup" });
              break;
            case "leave":
              twiml.leave();
              expected.push({ name: "Leave" });
              break;
            case "reject":
              twiml.reject({ reason: v.reason });
              expected.push({ name: "Reject" });
              break;
          }
        }
        const root = parseTwiml(twiml.toString());
        expect(root.children.map((child) => child.name)).toEqual(expected.map((e) => e.name));
        root.children.forEach((child, i) => {
          const want = expected[i]!;
          if (want.text !== undefined) expect(child.text).toBe(want.text);
          if (want.children !== undefined) expect(child.children.map((c) => c.name)).toEqual(want.children);
        });
      }),
      { numRuns: 100 },
    );
  });
});
