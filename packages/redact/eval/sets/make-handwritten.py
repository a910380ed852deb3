import json
def luhn_complete(prefix):
    for d in range(10):
        s = prefix + str(d)
        tot = 0
        for i, ch in enumerate(reversed(s)):
            n = int(ch)
            if i % 2 == 1:
                n *= 2
                if n > 9: n -= 9
            tot += n
        if tot % 10 == 0: return s
cards = {k: luhn_complete(v) for k, v in {
 'maestro12a': '67592283049', 'maestro12b': '50187640392', 'jcb15a': '21314587230941', 'jcb15b': '18002204967310',
 'visa16a': '453201987654321', 'mc16a': '522184763009284', 'visa16b': '491620357718806', 'amex15': '37144963539843',
 'maestro12c': '63048821570', 'jcb15c': '18003316092487', 'disc16': '601149275530182', 'mc16b': '545762389014477',
}.items()}
print(cards)
def grp(s, sizes):
    out=[];i=0
    for z in sizes: out.append(s[i:i+z]); i+=z
    return ' '.join(out)
C=cards
dev = [
 ("hi, my name is ondřej kovařík and i can't log in since tuesday. my number is 603 412 887", [("PERSON","ondřej kovařík"),("PHONE","603 412 887")]),
 ("Best regards,\nIngrid Solheim\nSenior Analyst, Nordlys Data AS\nTel. 22 41 58 90 | ingrid.solheim@nordlys.no", [("PERSON","Ingrid Solheim"),("PHONE","22 41 58 90"),("EMAIL","ingrid.solheim@nordlys.no")]),
 ("Ship to: Kwame Asante, 14 Ridgeway Close, Sheffield S10 4JQ", [("PERSON","Kwame Asante"),("ADDRESS","14 Ridgeway Close, Sheffield S10 4JQ")]),
 ("Please charge my Maestro card "+C['maestro12a']+" for the renewal.", [("CREDIT_CARD",C['maestro12a'])]),
 ("The JCB number is "+grp(C['jcb15a'],[4,6,5])+", expiry 09/27.", [("CREDIT_CARD",grp(C['jcb15a'],[4,6,5]))]),
 ("Can you confirm the date of birth on file? It should be 3/14/1988.", [("DATE_OF_BIRTH","3/14/1988")]),
 ("call me at 555 0142 ext 31 after 5pm", [("PHONE","555 0142 ext 31")]),
 ("SGT Marcus Bell, Unit 2050 Box 4190, APO AP 96278", [("PERSON","Marcus Bell"),("ADDRESS","Unit 2050 Box 4190, APO AP 96278")]),
 ("thanks so much! - priya", [("PERSON","priya")]),
 ("From: Tomasz Wiśniewski <t.wisniewski@kontakt.pl>\nSubject: Re: invoice 2231", [("PERSON","Tomasz Wiśniewski"),("EMAIL","t.wisniewski@kontakt.pl")]),
 ("Don't worry about the invoice, During 1971 the company was founded.", []),
 ("Dear Mr. Adeyemi, your appointment is confirmed.", [("PERSON","Adeyemi")]),
 ("CV\nName: Lucía Fernández Ortega\nAddress: Calle de Alcalá 48, 28014 Madrid\nPhone: 612 345 678\nBorn: 02.11.1993", [("PERSON","Lucía Fernández Ortega"),("ADDRESS","Calle de Alcalá 48, 28014 Madrid"),("PHONE","612 345 678"),("DATE_OF_BIRTH","02.11.1993")]),
 ("my card "+grp(C['visa16a'],[4,4,4,4])+" was declined twice today", [("CREDIT_CARD",grp(C['visa16a'],[4,4,4,4]))]),
 ("Reach our office on (02) 9374 4000 or mobile 0412 555 019.", [("PHONE","(02) 9374 4000"),("PHONE","0412 555 019")]),
 ("hey this is tanvir hossain from accounts, can u reset my password", [("PERSON","tanvir hossain")]),
 ("Mailing address:\n221 Baker Street\nLondon NW1 6XE\nUnited Kingdom", [("ADDRESS","221 Baker Street\nLondon NW1 6XE")]),
 ("Signed, Yuki Tanaka", [("PERSON","Yuki Tanaka")]),
 ("I moved to 8 rue des Lilas, 69003 Lyon last month", [("ADDRESS","8 rue des Lilas, 69003 Lyon")]),
 ("Contact Siobhán Ní Bhriain at +353 1 896 1000.", [("PERSON","Siobhán Ní Bhriain"),("PHONE","+353 1 896 1000")]),
 ("We need her birthday for the booking. It's 24 June 1979.", [("DATE_OF_BIRTH","24 June 1979")]),
 ("ssn 078-05-1120 was entered in the wrong field", [("SSN","078-05-1120")]),
 ("The meeting with Andrzej and Beata is at 10:30 in room 4.", [("PERSON","Andrzej"),("PERSON","Beata")]),
 ("Mark the ticket as resolved and close it.", []),
 ("Regards,\nOlumide Bakare | +234 803 555 0198", [("PERSON","Olumide Bakare"),("PHONE","+234 803 555 0198")]),
 ("pls send to 4821 N Clark St Apt 3, Chicago, IL 60640", [("ADDRESS","4821 N Clark St Apt 3, Chicago, IL 60640")]),
 ("amex "+grp(C['amex15'],[4,6,5])+" please", [("CREDIT_CARD",grp(C['amex15'],[4,6,5]))]),
 ("The 2019 report shows 1500 users and 320 sessions per day.", []),
 ("spoke to agnieszka from billing, she said to wait", [("PERSON","agnieszka")]),
 ("phone: 212.555.0187 x204", [("PHONE","212.555.0187 x204")]),
 ("Version 4.2.1 was released on 2021-03-04 with 12 fixes.", []),
 ("Her IBAN is DE89 3704 0044 0532 0130 00 and her name is Greta Vogel.", [("IBAN","DE89 3704 0044 0532 0130 00"),("PERSON","Greta Vogel")]),
]
test = [
 ("hello, this is marta lindqvist. my phone is 070 123 45 67 and my card "+C['maestro12b']+" stopped working", [("PERSON","marta lindqvist"),("PHONE","070 123 45 67"),("CREDIT_CARD",C['maestro12b'])]),
 ("Kind regards,\nRaúl Quispe Mamani\nAv. Arequipa 1230, Lima 15046\n+51 1 445 2210", [("PERSON","Raúl Quispe Mamani"),("ADDRESS","Av. Arequipa 1230, Lima 15046"),("PHONE","+51 1 445 2210")]),
 ("JCB "+C['jcb15b']+" exp 11/26", [("CREDIT_CARD",C['jcb15b'])]),
 ("I need to update my date of birth. It is 7/2/1984, not 7/2/1948.", [("DATE_OF_BIRTH","7/2/1984")]),
 ("SPC Dana Whitfield\nPSC 1234, Box 5678\nAPO AE 09204", [("PERSON","Dana Whitfield"),("ADDRESS","PSC 1234, Box 5678\nAPO AE 09204")]),
 ("ok so my name is bogdan petrescu and i live at 17 strada lipscani, bucharest", [("PERSON","bogdan petrescu"),("ADDRESS","17 strada lipscani")]),
 ("Tel: 030 2847 1190 | Fax: 030 2847 1199", [("PHONE","030 2847 1190"),("PHONE","030 2847 1199")]),
 ("Call Mehmet on 532 418 7765 if the courier is late.", [("PERSON","Mehmet"),("PHONE","532 418 7765")]),
 ("Dear Ms. Oyelaran-Smith,\nThank you for your order.", [("PERSON","Oyelaran-Smith")]),
 ("Our HQ: 1600 Amphitheatre Parkway, Mountain View, CA 94043", [("ADDRESS","1600 Amphitheatre Parkway, Mountain View, CA 94043")]),
 ("Customer says card "+grp(C['mc16a'],[4,4,4,4])+" was charged twice.", [("CREDIT_CARD",grp(C['mc16a'],[4,4,4,4]))]),
 ("Don't forget: the release is During week 12.", []),
 ("The patient, Hamid Rezaei, was born on 12 March 1961.", [("PERSON","Hamid Rezaei"),("DATE_OF_BIRTH","12 March 1961")]),
 ("cheers, niamh", [("PERSON","niamh")]),
 ("From: Chiamaka Eze\nTo: support@acme.io\nmy number changed to 0803 555 2101", [("PERSON","Chiamaka Eze"),("EMAIL","support@acme.io"),("PHONE","0803 555 2101")]),
 ("Please ring 415 555 0133 ext. 12 for the front desk.", [("PHONE","415 555 0133 ext. 12")]),
 ("Résumé — Dmitri Volkov\nul. Tverskaya 7, kv. 15, Moscow 125009\ndmitri.volkov@mail.ru", [("PERSON","Dmitri Volkov"),("ADDRESS","ul. Tverskaya 7, kv. 15, Moscow 125009"),("EMAIL","dmitri.volkov@mail.ru")]),
 ("Server 10.0.4.17 rejected the login from 203.0.113.9.", [("IP_ADDRESS","10.0.4.17"),("IP_ADDRESS","203.0.113.9")]),
 ("The quarterly numbers: revenue 4,512,300 and 18 new hires.", []),
 ("visa "+C['visa16b']+" cvv 123", [("CREDIT_CARD",C['visa16b'])]),
 ("hi team, jin-woo park here. pls add me to the channel", [("PERSON","jin-woo park")]),
 ("Deliver to Flat 2, 39 Mill Lane, Bristol BS3 4AA", [("ADDRESS","Flat 2, 39 Mill Lane, Bristol BS3 4AA")]),
 ("Thanks,\nFatima Zahra El Amrani\n06 61 23 45 78", [("PERSON","Fatima Zahra El Amrani"),("PHONE","06 61 23 45 78")]),
 ("Maestro "+grp(C['maestro12c'],[4,4,4])+" should be refunded", [("CREDIT_CARD",grp(C['maestro12c'],[4,4,4]))]),
 ("Please confirm the applicant's date of birth. We have 1990-08-15 on record.", [("DATE_OF_BIRTH","1990-08-15")]),
 ("Ask Giuseppe Russo, he handles Via Garibaldi 22, Torino.", [("PERSON","Giuseppe Russo"),("ADDRESS","Via Garibaldi 22, Torino")]),
 ("Mark and Grace will present the Q3 roadmap on Monday.", [("PERSON","Mark"),("PERSON","Grace")]),
 ("Our fax is 1-800-555-0175.", [("PHONE","1-800-555-0175")]),
 ("my social is 219-09-9999 and dob 04/19/1975", [("SSN","219-09-9999"),("DATE_OF_BIRTH","04/19/1975")]),
 ("New office: Keizersgracht 452, 1016 GD Amsterdam. Bel 020 555 0134.", [("ADDRESS","Keizersgracht 452, 1016 GD Amsterdam"),("PHONE","020 555 0134")]),
 ("the refund to "+grp(C['jcb15c'],[4,4,4,3])+" went through", [("CREDIT_CARD",grp(C['jcb15c'],[4,4,4,3]))]),
 ("Warm regards, Aroha Ngata", [("PERSON","Aroha Ngata")]),
 ("Config timeout is 3600 seconds; retry 5 times on port 8443.", []),
 ("hey it's sven, text me on 0176 2345 6789", [("PERSON","sven"),("PHONE","0176 2345 6789")]),
 ("Transfer from NL91 ABNA 0417 1643 00 approved by Pieter de Vries.", [("IBAN","NL91 ABNA 0417 1643 00"),("PERSON","Pieter de Vries")]),
]
def write(path, rows):
    with open(path,'w') as f:
        for text, ents in rows:
            for t,v in ents: assert v in text, (v,text)
            f.write(json.dumps({"text":text,"entities":[{"type":t,"value":v} for t,v in ents]}, ensure_ascii=False)+"\n")
write('/work/main/packages/redact/eval/sets/handwritten-dev.jsonl', dev)
write('/work/main/packages/redact/eval/sets/handwritten-test.jsonl', test)
print(len(dev), len(test))
