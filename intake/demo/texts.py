"""What demo reports say, and the words their slots are filled with.

Citizens write in four ways (intake.triage.lexicon): Modern Standard Arabic (`msa`), Darija in Arabic
script (`darija`), Darija in Latin letters with digits for the sounds Latin lacks, mixed with French
(`arabizi`: 3 = ع, 7 = ح, 9 = ق, 5/kh = خ, 8/gh = غ), and French (`fr`). Each description is a template
whose slots (`{amount}`, `{phone}`, `{site}`, `{rib}`, `{bank}`…) are filled for one report, so that a
thousand reports read naturally and differ; the identifier slots are also what the citizen gives as
the suspect's identifiers. Officers answer in the language of the form (`ar` or `fr`).
"""

from __future__ import annotations

import re
from string import Formatter

VARIETIES = ("msa", "darija", "arabizi", "fr")
# Which language the form was in, for each way of writing (Darija in Latin letters: either).
FORM_LANGUAGES: dict[str, tuple[str, ...]] = {
    "msa": ("ar",),
    "darija": ("ar",),
    "arabizi": ("fr", "fr", "ar"),
    "fr": ("fr",),
}

# Slots that name the suspect: the citizen also gives them as identifiers (intake.reports.models.SuspectKind).
IDENTIFIER_SLOTS = {
    "phone": "phone",
    "site": "url",
    "rib": "iban",
    "username": "username",
    "email": "email",
    "wallet": "crypto_wallet",
}

# category -> variety -> templates
DESCRIPTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "online_shopping_fraud": {
        "fr": (
            "J'ai commandé {item} à un vendeur de {city} qui avait publié une annonce sur {market}. J'ai payé {amount} par virement sur le RIB {rib} ({bank}) et depuis, il ne répond plus au {phone}.",
            "Annonce sur {site} : {item} à très bon prix. Le vendeur a exigé une avance de {amount} par {transfer}, puis il m'a bloqué. Son numéro : {phone}.",
            "Le site {site} affichait des promotions énormes. J'ai payé {amount} par carte pour {item}, rien n'est arrivé et le service client ne répond jamais.",
            "J'ai vendu {item} sur {market}. L'acheteur ({phone}) m'a montré une fausse capture de virement de {amount} et a fait récupérer la marchandise par un livreur.",
            "Une page {platform} ({username}) vendait {item}. J'ai versé {amount} sur le compte {rib} chez {bank} ; la page a disparu le lendemain.",
        ),
        "msa": (
            "طلبت شراء {item} من إعلان على {market} لبائع من {city}، ودفعت {amount} بتحويل إلى الحساب {rib} لدى {bank}، ومنذ ذلك الحين لا يجيب على الرقم {phone}.",
            "اشتريت {item} من الموقع {site} ودفعت {amount} بالبطاقة البنكية، ولم أتوصل بشيء رغم مرور أسابيع، ولا أحد يرد على رسائلي.",
            "وجدت إعلانا عن {item} بثمن مغرٍ، فطلب مني البائع تسبيقا قدره {amount} عبر {transfer}، ثم حظر رقمي. رقمه: {phone}.",
            "بعت {item} على {market}، فأرسل لي المشتري من الرقم {phone} صورة مزورة لتحويل بقيمة {amount} وتسلّم السلعة عن طريق عامل توصيل.",
            "كانت صفحة على {platform} باسم {username} تعرض {item} للبيع، فحولت {amount} إلى الحساب {rib}، واختفت الصفحة في اليوم الموالي.",
        ),
        "darija": (
            "شريت {item} من واحد الإعلان ف {market} ديال واحد من {city}، خلصت {amount} ف الحساب {rib} ديال {bank} وما بقاش كيجاوبني ف {phone}.",
            "دخلت للسيت {site} لقيت {item} رخيص، خلصت {amount} بالكارط وحتى حاجة ما وصلاتني.",
            "واحد ف {market} قال ليا صيفط ليا العربون {amount} ب{transfer} باش نصيفط ليك {item}، ومن بعد بلوكاني. النمرة ديالو {phone}.",
            "بعت {item} ف {market}، واحد من {phone} صيفط ليا تصويرة ديال فيرمون ديال {amount} مزورة وجا الليفرور داها.",
        ),
        "arabizi": (
            "chrit {item} mn wa7d l annonce f {market}, khllst {amount} f rib {rib} dyal {bank} w ma bqach kayjawbni f {phone}",
            "dkhlt l site {site} l9it {item} b taman rkhis, khllst {amount} b la carte w 7ta 7aja ma wslatni, service client ma kayjawbch",
            "wa7d f {market} tlb mni l3rboun {amount} b {transfer} bach ysifet lia {item}, mn b3d blokani. numero dyalo {phone}",
            "bghit nchri {item} mn page {platform} {username}, payit {amount} par virement f rib {rib} w la page tmse7at",
        ),
    },
    "phishing_impersonation": {
        "fr": (
            "J'ai reçu un SMS au nom de {bank} disant que ma carte était bloquée, avec le lien {site}. J'ai saisi mes codes et {amount} ont été retirés de mon compte le lendemain.",
            "Un SMS « votre colis est en attente, frais de livraison 12 DH » m'envoyait vers {site}. J'ai payé avec ma carte et ensuite {amount} ont été débités.",
            "Un homme qui se présentait comme conseiller de {bank} m'a appelé du {phone} et m'a demandé le code reçu par SMS. Peu après, {amount} ont disparu de mon compte.",
            "Un e-mail de {email} se faisant passer pour les impôts annonçait un remboursement à valider sur {site}. J'ai donné ma carte ; {amount} ont été prélevés.",
            "Faux support technique : un message WhatsApp du {phone} disait que mon compte chez {bank} allait être fermé. J'ai installé l'application demandée et perdu {amount}.",
        ),
        "msa": (
            "وصلتني رسالة نصية باسم {bank} تقول إن بطاقتي موقوفة، مع الرابط {site}. أدخلت معلوماتي البنكية فسُحب من حسابي {amount} في اليوم الموالي.",
            "اتصل بي شخص من الرقم {phone} ادّعى أنه موظف في {bank} وطلب الرمز الذي وصلني في رسالة قصيرة، وبعد دقائق اقتُطع من حسابي {amount}.",
            "توصلت برسالة تدّعي أنها من شركة التوصيل تطلب أداء رسوم طرد عبر الموقع {site}، وبعد إدخال بيانات البطاقة اقتُطع من حسابي {amount}.",
            "وصلتني رسالة إلكترونية من {email} باسم إدارة الضرائب تعلن عن استرجاع مبلغ عبر الموقع {site}، فأدخلت بيانات بطاقتي واقتُطع من حسابي {amount}.",
        ),
        "darija": (
            "جاني ميساج باسم {bank} كيقول البطاقة ديالك تبلوكات، فيه لينك {site}. دخلت المعلومات ديالي وتقطعو ليا {amount} من الحساب.",
            "عيط ليا واحد من {phone} قال ليا راه خدام ف {bank} وطلب مني الكود لي جاني ف ميساج، عطيتو ليه وتقطعو ليا {amount}.",
            "جاني ميساج بلي عندي كولي خاصني نخلص الفريي ف {site}، دخلت الكارط وداو ليا {amount}.",
        ),
        "arabizi": (
            "jani sms smito {bank} kaygoul la carte dyali tblokat, fih lien {site}. dkhlt les infos dyali w t9t3o lia {amount} mn compte",
            "3ayet lia wa7d mn {phone} gal lia rah khdam f {bank}, tlb mni le code li jani f sms. 3titou lih w mn b3d t9t3o {amount}",
            "jani message dial colis bli khasni nkhlss les frais f {site}, dkhlt la carte w khdaw lia {amount}",
            "jani mail mn {email} smito dyal les impots, galo 3ndek remboursement f {site}. 3mmrt la carte w t9t3o {amount}",
        ),
    },
    "investment_fraud": {
        "fr": (
            "Une plateforme de trading, {site}, promettait 30 % par mois. J'ai investi {amount} en plusieurs virements ; quand j'ai voulu retirer, on m'a demandé des « frais de déblocage ».",
            "Un « conseiller » sur Telegram ({username}) m'a convaincu d'acheter des USDT et de les envoyer à l'adresse {wallet}. Perte totale : {amount}.",
            "Groupe WhatsApp d'investissement animé depuis le {phone} : j'ai versé {amount} sur le compte {rib}, puis le groupe a été fermé.",
        ),
        "msa": (
            "وعدتني منصة تداول على الموقع {site} بأرباح شهرية مضمونة، فاستثمرت {amount} على دفعات، وعندما طلبت السحب طالبوني برسوم إضافية.",
            "أقنعني شخص على تيليغرام باسم {username} بشراء عملات مشفرة وإرسالها إلى العنوان {wallet}، وخسرت {amount}.",
            "انضممت إلى مجموعة واتساب للاستثمار يديرها صاحب الرقم {phone}، وحولت {amount} إلى الحساب {rib}، ثم أُغلقت المجموعة.",
        ),
        "darija": (
            "دخلت ف واحد البلاتفورم ديال الاستثمار {site} قالو ليا غادي تربح 30 ف المية ف الشهر، حطيت {amount} وملي بغيت نسحب طلبو مني نخلص مصاريف.",
            "واحد ف تيليغرام {username} قنعني نشري USDT ونصيفطهم ل {wallet}، مشاو ليا {amount}.",
        ),
        "arabizi": (
            "dkhlt f wa7d plateforme d investissement {site}, galo lia ghadi trb7 bzaf f chhar, 7ttit {amount} w mli bghit ns7eb tlbo mni nkhlss des frais",
            "wa7d f telegram {username} 9n3ni nchri USDT w nsifthom l {wallet}, mchaw lia {amount}",
            "groupe whatsapp dyal investissement, l admin {phone} gal lina 7tto flouss f rib {rib}. 7ttit {amount} w mn b3d le groupe tsed",
        ),
    },
    "romance_advance_fee_fraud": {
        "fr": (
            "J'ai connu sur {platform} une personne qui disait vivre à l'étranger. Après des semaines de conversation, elle m'a demandé {amount} pour payer la douane d'un colis « cadeau ». Son compte : {username}.",
            "On m'a annoncé par WhatsApp ({phone}) que j'avais gagné une voiture à une tombola ; j'ai payé {amount} de « frais de dossier » sur le RIB {rib}, puis plus rien.",
            "Un homme rencontré sur {platform} ({username}) promettait le mariage et m'a demandé {amount} pour son visa. Il ne répond plus.",
        ),
        "msa": (
            "تعرفت على شخص عبر {platform} قال إنه يقيم في الخارج، وبعد أسابيع من المحادثة طلب مني {amount} لأداء رسوم جمركية على هدية أرسلها. حسابه: {username}.",
            "أخبرني شخص عبر واتساب من الرقم {phone} أنني ربحت سيارة في قرعة، وطلب مني {amount} بدعوى مصاريف الملف، فحولتها إلى الحساب {rib}، ثم اختفى.",
        ),
        "darija": (
            "تعرفت على واحد ف {platform} قال ليا راه ف الخارج وبغا يتزوج بيا، طلب مني {amount} باش يخلص الفيزا. الحساب ديالو {username}.",
            "صيفط ليا واحد ف واتساب من {phone} قال ليا ربحتي طوموبيل، خلصت {amount} ف {rib} ومن بعد ما بقاش كيبان.",
        ),
        "arabizi": (
            "t3rft 3la wa7d f {platform} gal lia rah f lkharij w bgha ytzwj biya, tlb mni {amount} bach ykhlss la visa. compte dyalo {username}",
            "wa7d f whatsapp {phone} gal lia rb7ti tomobil f tirage, khllst {amount} les frais f rib {rib} w mn b3d blokani",
        ),
    },
    "account_takeover": {
        "fr": (
            "Mon compte {platform} a été piraté : l'escroc a changé le mot de passe et demande de l'argent à mes amis en mon nom. Il leur donne le numéro {phone}.",
            "Ma carte SIM a cessé de fonctionner d'un coup ; le lendemain, {amount} ont été transférés depuis mon compte chez {bank}.",
            "Quelqu'un a ouvert un compte {platform} ({username}) avec mes photos et mon nom, et il arnaque des gens.",
        ),
        "msa": (
            "تمت قرصنة حسابي على {platform}، وغيّر المحتال كلمة السر وأصبح يطلب المال من أصدقائي باسمي ويعطيهم الرقم {phone}.",
            "توقفت شريحة هاتفي فجأة، وفي اليوم التالي حُوّل {amount} من حسابي لدى {bank} عبر التطبيق.",
            "أنشأ شخص حسابا على {platform} باسم {username} يستعمل صوري واسمي ويحتال به على الناس.",
        ),
        "darija": (
            "تهكر ليا الحساب ديال {platform}، بدل الباسوورد وولا كيطلب الفلوس من صحابي باسمي وكيعطيهم {phone}.",
            "شي واحد دار حساب ف {platform} سميتو {username} فيه تصاور ديالي وكينصب على الناس.",
        ),
        "arabizi": (
            "t7ekker lia compte {platform}, bddel le mot de passe w wella kaytleb lflouss mn s7abi b smiti, kay3tihom {phone}",
            "la puce dyali wa9fat fjaa, w nhar mn b3d t7wlo {amount} mn compte dyali f {bank}",
            "chi wa7d dar compte {username} f {platform} b tswer dyali w kaynsb 3la nass",
        ),
    },
    "sextortion": {
        "fr": (
            "Une personne rencontrée sur {platform} a enregistré un appel vidéo et menace d'envoyer la vidéo à ma famille si je ne paie pas {demand}. Son compte : {username}.",
            "Quelqu'un me fait chanter avec des photos intimes : il exige {demand} sur le RIB {rib} avant demain, sinon il publie tout. Il écrit depuis le {phone}.",
            "Un faux profil {platform} ({username}) m'a piégé et réclame {demand} par {transfer}, sinon il envoie les images à mes contacts.",
        ),
        "msa": (
            "شخص تعرفت عليه عبر {platform} سجّل مكالمة فيديو ويهددني بإرسالها إلى عائلتي إن لم أدفع {demand}. حسابه: {username}.",
            "يبتزني شخص بصور خاصة ويطلب {demand} قبل الغد وإلا سينشرها، ويراسلني من الرقم {phone}.",
        ),
        "darija": (
            "واحد تعرفت عليه ف {platform} سجل ليا فيديو كول وكيهددني يصيفطو للعائلة ديالي إلا ما خلصتوش {demand}. الحساب ديالو {username}.",
            "كاين واحد عندو تصاور ديالي وكيطلب مني {demand} ولا غادي ينشرهم، كيكتب ليا من {phone}.",
        ),
        "arabizi": (
            "wa7d t3rft 3lih f {platform} sjjl lia video call w kayhddedni ysifto l l3a2ila dyali ila ma khllstouch {demand}. compte dyalo {username}",
            "3ndo tswer dyali w kaytleb {demand} sinon ghadi ynchorhom, kaykteb lia mn {phone}",
        ),
    },
    "intimate_image_abuse": {
        "fr": (
            "Mon ex a publié des photos intimes de moi sur le compte {username} ({platform}) et les envoie à mes collègues.",
            "Des photos privées de moi circulent dans un groupe en ligne ; voici le lien : {site}.",
        ),
        "msa": (
            "نشر طليقي صورا خاصة بي على الحساب {username} في {platform} ويرسلها إلى زملائي في العمل.",
            "تنتشر صور خاصة بي في مجموعة على الإنترنت، وهذا رابطها: {site}.",
        ),
        "darija": (
            "الخطيب القديم ديالي نشر تصاور خاصين بيا ف الحساب {username} ف {platform} وكيصيفطهم للناس لي خدامين معايا.",
        ),
        "arabizi": (
            "ex dyali nchr tswer dyali privé f compte {username} f {platform} w kaysifthom l nass li khdamin m3aya",
        ),
    },
    "child_sexual_exploitation": {
        "fr": (
            "Un compte contacte des enfants du quartier sur les réseaux sociaux et leur demande des photos. Je signale le lien du compte : {site}.",
            "J'ai vu passer un lien qui partage des contenus d'abus sur des mineurs : {site}. Je n'ai rien téléchargé.",
        ),
        "msa": (
            "حساب على مواقع التواصل يراسل أطفالا ويطلب منهم صورا. هذا رابط الحساب: {site}.",
            "صادفت رابطا ينشر محتوى استغلال جنسي لقاصرين: {site}. لم أحمّل أي شيء.",
        ),
        "darija": ("كاين واحد الحساب كيهضر مع الدراري الصغار وكيطلب منهم تصاور. هادا اللينك: {site}",),
        "arabizi": ("kayn wa7d compte kayhdr m3a drari sghar w kaytleb mnhom tswer. lien: {site}",),
    },
    "ransomware_malware": {
        "fr": (
            "Tous les fichiers du serveur de notre cabinet sont chiffrés ; une note demande une rançon en bitcoin à l'adresse {wallet}, contact {email}. L'attaque est toujours en cours sur deux postes.",
            "Une fausse alerte Microsoft affichait le numéro {phone} ; le « technicien » a pris le contrôle de mon ordinateur et installé un logiciel inconnu.",
        ),
        "msa": (
            "تم تشفير جميع ملفات حاسوب الشركة وظهرت رسالة تطلب فدية بالبيتكوين إلى العنوان {wallet} والتواصل عبر {email}. الهجوم لا يزال مستمرا.",
            "ظهر على حاسوبي تنبيه مزيف باسم مايكروسوفت فيه الرقم {phone}، فاتصلت به فتحكّم في جهازي عن بعد وثبّت برنامجا مجهولا.",
        ),
        "darija": (
            "البيسي ديال المحل تشفرو فيه كاع الفيشيات وخرجات رسالة كيطلبو فلوس بالبيتكوين ف {wallet}، والتواصل ف {email}.",
        ),
        "arabizi": (
            "les fichiers dyal l pc dyal charika tchfraw kamlin, kayn message kaytlbo rançon b bitcoin f {wallet}, contact {email}. mazal kaytchfraw",
        ),
    },
    "harassment_stalking": {
        "fr": (
            "Depuis trois mois, un ancien collègue m'envoie des dizaines de messages par jour depuis le {phone} et crée de nouveaux comptes ({username}) dès que je le bloque.",
            "Quelqu'un a publié mon adresse et mon numéro sur {platform} avec des commentaires humiliants ; le compte s'appelle {username}.",
        ),
        "msa": (
            "منذ أشهر يرسل لي شخص عشرات الرسائل يوميا من الرقم {phone}، وكلما حظرته أنشأ حسابا جديدا مثل {username}.",
            "نشر شخص عنواني ورقم هاتفي على {platform} مع تعليقات مهينة، والحساب باسم {username}.",
        ),
        "darija": (
            "واحد كيتبعني ف {platform} وكيصيفط ليا ميساجات بزاف كل نهار من {phone}، وكل مرة نبلوكيه كيدير حساب جديد {username}.",
        ),
        "arabizi": (
            "wa7d kaytb3ni f {platform} w kaysift lia des messages bzaf kol nhar mn {phone}, kol mra nbloki kaydir compte jdid {username}",
        ),
    },
    "threats_violence": {
        "fr": (
            "Un inconnu m'écrit depuis le {phone} qu'il va me tuer si je ne retire pas ma plainte. Il connaît mon adresse à {city}.",
            "Le compte {username} a publié une vidéo qui appelle à s'en prendre à mon frère, avec son adresse.",
        ),
        "msa": (
            "يراسلني مجهول من الرقم {phone} ويهددني بالقتل إن لم أتنازل عن شكايتي، وهو يعرف عنواني في {city}.",
            "نشر الحساب {username} على {platform} فيديو يحرض على الاعتداء على أخي مع ذكر عنوانه.",
        ),
        "darija": (
            "واحد كيصيفط ليا من {phone} كيقول ليا غادي نقتلك إلا ما حيدتيش الشكاية، وعارف فين كنسكن ف {city}.",
        ),
        "arabizi": ("wa7d kaykteb lia mn {phone} kaygoul lia ghadi n9tlek ila ma 7iyditich la plainte",),
    },
    "terrorism": {
        "fr": (
            "La chaîne {site} publie des vidéos qui font l'apologie d'attentats et appellent à rejoindre un groupe armé.",
        ),
        "msa": ("تنشر القناة {site} مقاطع تمجّد العمليات الإرهابية وتدعو إلى الالتحاق بجماعة مسلحة.",),
        "darija": ("كاينة واحد القناة {site} كتنشر فيديوهات كتشجع على الإرهاب وكتعيط للشباب يمشيو معاهم.",),
        "arabizi": ("kayna chaine {site} katnchr des videos katchaje3 3la l irhab",),
    },
    "hate_speech": {
        "fr": (
            "Le compte {username} publie chaque jour sur {platform} des messages racistes contre les migrants subsahariens de {city}.",
        ),
        "msa": (
            "ينشر الحساب {username} على {platform} يوميا منشورات عنصرية ضد المهاجرين من إفريقيا جنوب الصحراء.",
        ),
        "darija": (
            "الحساب {username} ف {platform} كينشر كل نهار كلام عنصري على المهاجرين الأفارقة ف {city}.",
        ),
        "arabizi": ("compte {username} f {platform} kaynchr kol nhar kalam 3onsori 3la les migrants",),
    },
    "defamation": {
        "fr": (
            "Une page {platform} ({username}) m'accuse faussement de vol et publie ma photo ; des clients de mon commerce à {city} l'ont vue.",
            "Quelqu'un a créé la page {site} pour diffuser des rumeurs mensongères sur ma famille.",
        ),
        "msa": (
            "تتهمني صفحة على {platform} باسم {username} زورا بالسرقة وتنشر صورتي، وقد رآها زبناء محلي في {city}.",
            "أنشأ شخص الصفحة {site} لنشر إشاعات كاذبة عن عائلتي.",
        ),
        "darija": (
            "واحد الصفحة ف {platform} سميتها {username} كتقول عليا شفار وحاطة التصويرة ديالي، شافوها الكليان ديالي ف {city}.",
        ),
        "arabizi": (
            "page f {platform} smitha {username} katgoul 3liya chffar w 7atta tswira dyali, chafouha les clients dyali",
        ),
    },
    "illicit_trade": {
        "fr": (
            "Le compte {username} vend sur {platform} des médicaments sans ordonnance, avec livraison à {city}. Contact : {phone}.",
            "Le site {site} vend des contrefaçons de grandes marques et des cigarettes de contrebande.",
        ),
        "msa": (
            "يبيع الحساب {username} على {platform} أدوية دون وصفة طبية مع التوصيل إلى {city}، ورقم التواصل {phone}.",
        ),
        "darija": (
            "كاين واحد ف {platform} {username} كيبيع القرقوبي وكيوصل ل {city}، النمرة ديالو {phone}.",
        ),
        "arabizi": ("kayn wa7d f {platform} {username} kaybi3 l9r9obi w kaywsl l {city}, numero {phone}",),
    },
    "data_breach_other": {
        "fr": (
            "Le site {site} publie une liste avec les noms, CIN et téléphones de clients d'une agence de {city}, dont moi.",
            "J'ai reçu un e-mail de {email} qui cite un de mes anciens mots de passe et réclame de l'argent.",
        ),
        "msa": (
            "ينشر الموقع {site} لائحة فيها أسماء وأرقام بطائق التعريف والهواتف لزبناء وكالة في {city}، وأنا من بينهم.",
            "وصلتني رسالة من {email} تذكر كلمة سر قديمة لي وتطالبني بالمال.",
        ),
        "darija": (
            "لقيت ف {site} ليستة فيها السميات ونمر البطايق والتيليفونات ديال الكليان ديال واحد الوكالة ف {city}، وأنا معاهم.",
        ),
        "arabizi": (
            "l9it f {site} liste fiha smiyat w CIN w numerouat dyal les clients dyal agence f {city}, w ana m3ahom",
        ),
    },
}

OPENINGS: dict[str, tuple[str, ...]] = {
    "fr": ("", "", "Bonjour,\n", "Bonsoir,\n", "Madame, Monsieur,\n"),
    "msa": ("", "", "السلام عليكم، ", "تحية طيبة، "),
    "darija": ("", "", "السلام عليكم، ", "السلام، "),
    "arabizi": ("", "", "salam, ", "slm, ", "salam 3likom, "),
}
CLOSINGS: dict[str, tuple[str, ...]] = {
    "fr": ("", "", " J'ai gardé les captures d'écran.", " Merci de m'aider.", " Que dois-je faire ?"),
    "msa": ("", "", " احتفظت بلقطات الشاشة.", " أرجو مساعدتي.", " ماذا يجب أن أفعل؟"),
    "darija": ("", "", " عندي السكرينات.", " عافاكم عاونوني.", " شنو خاصني ندير؟"),
    "arabizi": ("", "", " 3ndi les captures", " 3afakom 3awnouni", " chno khasni ndir?"),
}
ITEMS: dict[str, tuple[str, ...]] = {
    "fr": (
        "un iPhone 13", "une PS5", "un frigo Samsung", "un caftan", "des baskets Nike",
        "un ordinateur portable", "une trottinette électrique", "un canapé", "des pièces auto",
        "une montre connectée", "un climatiseur", "des lunettes Ray-Ban",
    ),
    "msa": (
        "هاتف آيفون 13", "جهاز بلايستيشن 5", "ثلاجة", "قفطان تقليدي", "حذاء رياضي", "حاسوب محمول",
        "دراجة كهربائية", "أريكة", "قطع غيار سيارة", "ساعة ذكية", "مكيف هواء", "نظارات شمسية",
    ),
    "darija": (
        "تيليفون آيفون", "بلايستيشن", "فريجيدير", "قفطان", "سبرديلة نايك", "بيسي", "تروتينيت",
        "صالون", "بياسات ديال الطوموبيل", "مونطر", "كليماتيزور", "ندادر ديال الشمس",
    ),
    "arabizi": (
        "iphone 13", "play 5", "frigo", "caftan", "sbrdila nike", "pc portable", "trottinette",
        "salon", "pièces dyal tomobil", "montre", "climatiseur", "ndader ray-ban",
    ),
}  # fmt: skip
_ARABIC_PLATFORMS = ("فيسبوك", "إنستغرام", "تيك توك", "سناب شات")
PLATFORMS: dict[str, tuple[str, ...]] = {
    "fr": ("Facebook", "Instagram", "TikTok", "Snapchat"),
    "msa": _ARABIC_PLATFORMS,
    "darija": _ARABIC_PLATFORMS,
    "arabizi": ("facebook", "insta", "tiktok", "snap"),
}
MARKETS: dict[str, tuple[str, ...]] = {
    "fr": ("Avito", "Marketplace", "Instagram", "un groupe Facebook"),
    "msa": ("أفيتو", "ماركت بليس", "إنستغرام", "إحدى مجموعات فيسبوك"),
    "darija": ("أفيتو", "ماركت بليس", "إنستغرام", "واحد الكروب ف فيسبوك"),
    "arabizi": ("avito", "marketplace", "insta", "groupe facebook"),
}
TRANSFERS: dict[str, tuple[str, ...]] = {
    "fr": ("Wafacash", "Cash Plus", "Barid Cash", "Damane Cash"),
    "msa": ("وفاكاش", "كاش بلوس", "بريد كاش", "ضمان كاش"),
    "darija": ("وفاكاش", "كاش بلوس", "بريد كاش", "ضمان كاش"),
    "arabizi": ("wafacash", "cash plus", "barid cash", "damane cash"),
}
# Banks as each variety names them; each entry is the same bank in the four varieties, with the
# three digits of its code in a RIB.
BANKS: tuple[tuple[str, dict[str, str]], ...] = (
    ("007", {"fr": "Attijariwafa bank", "msa": "التجاري وفا بنك", "darija": "التجاري", "arabizi": "attijari"}),
    ("190", {"fr": "la Banque Populaire", "msa": "البنك الشعبي", "darija": "الشعبي", "arabizi": "chaabi"}),
    ("230", {"fr": "CIH Bank", "msa": "القرض العقاري والسياحي", "darija": "CIH", "arabizi": "cih"}),
    ("011", {"fr": "Bank of Africa", "msa": "بنك إفريقيا", "darija": "بنك أفريكا", "arabizi": "bank of africa"}),
    ("350", {"fr": "Al Barid Bank", "msa": "بريد بنك", "darija": "البريد بنك", "arabizi": "barid bank"}),
    ("225", {"fr": "le Crédit Agricole", "msa": "القرض الفلاحي", "darija": "القرض الفلاحي", "arabizi": "credit agricole"}),
    ("021", {"fr": "Crédit du Maroc", "msa": "مصرف المغرب", "darija": "مصرف المغرب", "arabizi": "crédit du maroc"}),
)  # fmt: skip

# The cities of each region (French, Arabic, as Darija writes them in Latin letters).
CITIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "casablanca_settat": (
        ("Casablanca", "الدار البيضاء", "casa"), ("Mohammedia", "المحمدية", "mohammedia"),
        ("El Jadida", "الجديدة", "jdida"), ("Settat", "سطات", "settat"),
    ),
    "rabat_sale_kenitra": (
        ("Rabat", "الرباط", "rbat"), ("Salé", "سلا", "sla"), ("Kénitra", "القنيطرة", "9nitra"),
        ("Témara", "تمارة", "tmara"),
    ),
    "fes_meknes": (("Fès", "فاس", "fas"), ("Meknès", "مكناس", "mknas"), ("Taza", "تازة", "taza")),
    "marrakech_safi": (
        ("Marrakech", "مراكش", "mrrakch"), ("Safi", "آسفي", "asfi"), ("Essaouira", "الصويرة", "swira"),
    ),
    "tanger_tetouan_al_hoceima": (
        ("Tanger", "طنجة", "tanja"), ("Tétouan", "تطوان", "ttwan"), ("Al Hoceïma", "الحسيمة", "l7ouceima"),
    ),
    "souss_massa": (("Agadir", "أكادير", "agadir"), ("Taroudant", "تارودانت", "taroudant"), ("Tiznit", "تيزنيت", "tiznit")),
    "oriental": (("Oujda", "وجدة", "wjda"), ("Nador", "الناظور", "nador"), ("Berkane", "بركان", "berkane")),
    "beni_mellal_khenifra": (
        ("Béni Mellal", "بني ملال", "bni mellal"), ("Khouribga", "خريبكة", "khribga"), ("Khénifra", "خنيفرة", "khnifra"),
    ),
    "draa_tafilalet": (("Errachidia", "الرشيدية", "rachidia"), ("Ouarzazate", "ورزازات", "warzazat")),
    "guelmim_oued_noun": (("Guelmim", "كلميم", "guelmim"),),
    "laayoune_sakia_el_hamra": (("Laâyoune", "العيون", "l3ayoun"),),
    "dakhla_oued_ed_dahab": (("Dakhla", "الداخلة", "dakhla"),),
    "abroad": (("Paris", "باريس", "paris"), ("Bruxelles", "بروكسل", "bruxelles"), ("Madrid", "مدريد", "madrid")),
}  # fmt: skip

# Citizens' names, in Latin letters (the French form, Darija in Latin letters, e-mail addresses) and
# in Arabic script: the same name at the same position in both.
FIRST_NAMES = (
    "Salma", "Youssef", "Khadija", "Mehdi", "Fatima Zahra", "Hamza", "Imane", "Othmane", "Nadia",
    "Rachid", "Soukaina", "Ayoub", "Hajar", "Anas", "Meryem", "Abdelkader", "Loubna", "Yassine",
    "Zineb", "Omar", "Houda", "Reda", "Sanae", "Ilyas",
)  # fmt: skip
FIRST_NAMES_AR = (
    "سلمى", "يوسف", "خديجة", "مهدي", "فاطمة الزهراء", "حمزة", "إيمان", "عثمان", "نادية", "رشيد",
    "سكينة", "أيوب", "هاجر", "أنس", "مريم", "عبد القادر", "لبنى", "ياسين", "زينب", "عمر", "هدى", "رضا",
    "سناء", "إلياس",
)  # fmt: skip
LAST_NAMES = (
    "Benali", "El Idrissi", "Alaoui", "Bennani", "Tazi", "El Fassi", "Berrada", "Ouazzani", "Amrani",
    "Chraibi", "Lahlou", "Naciri", "Bouzid", "El Mansouri", "Ait Taleb", "Zerouali", "Haddaoui", "Ouhaddou",
)  # fmt: skip
LAST_NAMES_AR = (
    "بنعلي", "الإدريسي", "العلوي", "بناني", "التازي", "الفاسي", "برادة", "الوزاني", "العمراني",
    "الشرايبي", "لحلو", "الناصري", "بوزيد", "المنصوري", "آيت الطالب", "الزروالي", "الحداوي", "أوحدو",
)  # fmt: skip
# Addresses that can never reach anyone (RFC 2606).
REPORTER_MAIL_DOMAINS = ("example.com", "example.net", "example.org")

# The demo's staff: (role, name, form language).
STAFF: tuple[tuple[str, str, str], ...] = (
    ("admin", "Leila Benjelloun", "fr"),
    ("supervisor", "Aziz Lamrani", "fr"),
    ("officer", "Karim Bennani", "fr"),
    ("officer", "Samira El Amrani", "ar"),
    ("officer", "Hicham Ouali", "fr"),
    ("officer", "Nawal Tahiri", "ar"),
)
STAFF_MAIL_DOMAIN = "demo.blagh.example"

# What officers ask (needs_info), by kind of case and form language.
MONEY_CATEGORIES = frozenset(
    {"online_shopping_fraud", "phishing_impersonation", "investment_fraud", "romance_advance_fee_fraud"}
)
CONTENT_CATEGORIES = frozenset(
    {
        "intimate_image_abuse",
        "child_sexual_exploitation",
        "terrorism",
        "hate_speech",
        "defamation",
        "illicit_trade",
    }
)
QUESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "money": {
        "fr": (
            "Bonjour, pouvez-vous nous envoyer la capture d'écran du virement ou le reçu de paiement, avec la date exacte ?",
            "Avez-vous fait opposition auprès de votre banque ? Si oui, merci de nous donner le numéro de la réclamation.",
        ),
        "ar": (
            "مرحبا، المرجو إرسال لقطة شاشة لعملية التحويل أو وصل الأداء مع تحديد التاريخ بدقة.",
            "هل قدمتم تعرضا لدى وكالتكم البنكية؟ إن كان الأمر كذلك، المرجو موافاتنا برقم الشكاية.",
        ),
    },
    "content": {
        "fr": (
            "Pouvez-vous nous transmettre le lien exact du compte ou de la publication ? Une capture d'écran suffit si le lien a disparu.",
        ),
        "ar": ("المرجو إرسال الرابط الدقيق للحساب أو للمنشور، وتكفي لقطة شاشة إن حُذف الرابط.",),
    },
    "intrusion": {
        "fr": (
            "Pouvez-vous nous envoyer une capture du message reçu (la note de rançon, l'alerte) et nous dire quels appareils ou comptes sont touchés ?",
        ),
        "ar": (
            "المرجو إرسال لقطة شاشة للرسالة التي توصلتم بها (رسالة الفدية أو التنبيه) وتحديد الأجهزة أو الحسابات المتضررة.",
        ),
    },
    "other": {
        "fr": (
            "Merci de nous indiquer le numéro exact depuis lequel on vous a contacté et l'heure des messages.",
            "Connaissez-vous cette personne dans la vie réelle ?",
        ),
        "ar": (
            "المرجو إخبارنا بالرقم الذي تم التواصل معكم منه وبأوقات الرسائل.",
            "هل تعرفون هذا الشخص في الحياة الواقعية؟",
        ),
    },
}
# The citizen's answers, as they write, to each kind of question.
ANSWERS: dict[str, dict[str, tuple[str, ...]]] = {
    "money": {
        "fr": (
            "Bonjour, voici la capture du virement. C'était {weekday} vers {hour} h.",
            "Oui, j'ai fait opposition à l'agence, la réclamation porte le numéro {claim}.",
        ),
        "msa": (
            "مرحبا، هذه لقطة شاشة لعملية التحويل، وقد تمت يوم {weekday} حوالي الساعة {hour}.",
            "نعم، قدمت تعرضا في الوكالة ورقم الشكاية هو {claim}.",
        ),
        "darija": (
            "هاهي السكرين ديال التحويل، كان نهار {weekday} تقريبا ف {hour}.",
            "إيه درت تعرض ف البنكة، الرقم ديال الشكاية {claim}.",
        ),
        "arabizi": (
            "salam, ha capture dyal virement, kan nhar {weekday} t9riban f {hour}h",
            "ah drt opposition f la banque, numero dyal reclamation {claim}",
        ),
    },
    "content": {
        "fr": (
            "Le compte a été supprimé mais j'ai gardé des captures, je vous les envoie.",
            "Voici le lien exact ; la publication est toujours en ligne depuis {weekday}.",
        ),
        "msa": (
            "حُذف الحساب لكنني احتفظت بلقطات الشاشة وها أنا أرسلها.",
            "هذا هو الرابط الدقيق، والمنشور لا يزال متاحا منذ يوم {weekday}.",
        ),
        "darija": (
            "الحساب تمسح ولكن خليت السكرينات، راني صيفطتهم.",
            "هادا هو اللينك، المنشور باقي كاين من نهار {weekday}.",
        ),
        "arabizi": (
            "compte tmse7 walakin khllit les captures, ghadi nsifthom likom",
            "ha lien, la publication ba9a kayna mn nhar {weekday}",
        ),
    },
    "intrusion": {
        "fr": (
            "Voici la capture du message. Deux ordinateurs et mon téléphone sont touchés.",
            "Je vous envoie les captures de l'alerte ; seul mon ordinateur portable est touché.",
        ),
        "msa": (
            "هذه لقطة شاشة للرسالة، والأجهزة المتضررة حاسوبان وهاتفي.",
            "أرسلت لقطات شاشة للتنبيه، والمتضرر حاسوبي المحمول فقط.",
        ),
        "darija": (
            "هاهي السكرين ديال الميساج، تضررو جوج بيسيات والتيليفون ديالي.",
            "صيفطت ليكم السكرينات، غير البيسي ديالي لي تضرر.",
        ),
        "arabizi": (
            "ha capture dyal message, jouj pc w telephone dyali tdrro",
            "sifett likom les captures, ghir pc dyali li tdrr",
        ),
    },
    "other": {
        "fr": (
            "Non, je ne le connais pas, on s'est seulement parlé en ligne.",
            "Les messages viennent toujours du même numéro, surtout le soir.",
        ),
        "msa": ("لا أعرفه، تواصلنا عبر الإنترنت فقط.", "تصلني الرسائل دائما من الرقم نفسه، غالبا في المساء."),
        "darija": (
            "لا ما كنعرفوش، غير كنهضرو ف الأنترنت.",
            "الميساجات ديما كيجيو من نفس النمرة، غالبا ف الليل.",
        ),
        "arabizi": (
            "la ma kan3rfouch, ghir kanhdro f internet",
            "les messages dima kayjiw mn nfs numero, ghaliban f lil",
        ),
    },
}
WEEKDAYS: dict[str, tuple[str, ...]] = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "msa": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    "darija": ("الاثنين", "الثلاث", "الأربع", "الخميس", "الجمعة", "السبت", "الحد"),
    "arabizi": ("tnin", "tlat", "larb3", "lkhmis", "jem3a", "sebt", "l7ed"),
}
# News an officer sends without changing the status.
NEWS: dict[str, tuple[str, ...]] = {
    "fr": (
        "Votre signalement est en cours de traitement : une demande a été adressée à l'opérateur concerné.",
        "Nous avons demandé à la plateforme de suspendre le compte signalé.",
        "Votre dossier a été rapproché d'autres signalements qui visent le même numéro.",
    ),
    "ar": (
        "بلاغكم قيد المعالجة، وقد وُجّه طلب إلى الجهة المعنية.",
        "طلبنا من المنصة توقيف الحساب المبلغ عنه.",
        "تم ربط بلاغكم ببلاغات أخرى تخص الرقم نفسه.",
    ),
}
# Public notes of the history (the citizen reads them), by outcome and form language.
REASONS: dict[str, dict[str, tuple[str, ...]]] = {
    "rejected": {
        "fr": (
            "Les faits décrits relèvent d'un litige commercial et non d'une infraction en ligne : adressez-vous au tribunal de première instance.",
            "Les informations fournies ne permettent pas d'établir une infraction. Vous pouvez déposer un nouveau signalement avec plus de détails.",
        ),
        "ar": (
            "الوقائع الواردة في بلاغكم نزاع تجاري وليست جريمة إلكترونية، ويمكنكم التوجه إلى المحكمة الابتدائية.",
            "المعلومات المقدمة لا تكفي لإثبات وجود جريمة، ويمكنكم تقديم بلاغ جديد بتفاصيل أكثر.",
        ),
    },
    "duplicate": {
        "fr": ("Signalement en double : il est traité sous la référence {reference}.",),
        "ar": ("بلاغ مكرر: تتم معالجته تحت المرجع {reference}.",),
    },
    "no_answer": {
        "fr": (
            "Sans réponse à notre question, le dossier est classé. Vous pouvez déposer un nouveau signalement.",
        ),
        "ar": ("لعدم التوصل بجوابكم، تم حفظ الملف، ويمكنكم تقديم بلاغ جديد.",),
    },
    "referred": {
        "fr": (
            "Dossier transmis au parquet de {city} pour enquête.",
            "Dossier transmis à la brigade régionale de la police judiciaire de {city}.",
            "Dossier transmis à la Gendarmerie royale, compétente sur le lieu des faits.",
        ),
        "ar": (
            "أحيل الملف على النيابة العامة بمدينة {city} قصد البحث.",
            "أحيل الملف على الفرقة الجهوية للشرطة القضائية بمدينة {city}.",
            "أحيل الملف على الدرك الملكي المختص ترابيا.",
        ),
    },
    # A case filed from abroad: the police of the country where the citizen lives, through Interpol.
    "referred_abroad": {
        "fr": (
            "Dossier transmis via Interpol (Bureau central national de Rabat) aux autorités du pays de résidence.",
        ),
        "ar": ("أحيل الملف عبر الأنتربول (المكتب المركزي الوطني بالرباط) على سلطات بلد الإقامة.",),
    },
    "resolved": {
        "fr": (
            "Le compte frauduleux a été suspendu par la plateforme.",
            "La banque a bloqué le compte bénéficiaire et engagé la restitution des fonds.",
            "Le contenu signalé a été retiré.",
        ),
        "ar": (
            "أوقفت المنصة الحساب الاحتيالي.",
            "جمّد البنك الحساب المستفيد وباشر مسطرة استرجاع الأموال.",
            "تم حذف المحتوى المبلغ عنه.",
        ),
    },
}
# Internal notes (staff only).
NOTES: dict[str, tuple[str, ...]] = {
    "fr": (
        "Identifiant déjà signalé dans d'autres dossiers : voir le groupe.",
        "Réquisition envoyée à l'opérateur pour identifier le titulaire de la ligne.",
        "Demande de gel adressée à la banque du bénéficiaire.",
        "Victime rappelée : elle a conservé toutes les conversations.",
        "Signalé à la plateforme pour retrait du contenu.",
    ),
    "ar": (
        "المعرّف ورد في بلاغات أخرى، انظر المجموعة.",
        "وُجّه طلب إلى شركة الاتصالات لتحديد صاحب الخط.",
        "وُجّه طلب تجميد إلى بنك المستفيد.",
        "تم الاتصال بالضحية، وقد احتفظت بجميع المحادثات.",
    ),
}
# What citizens call their screenshots (the form keeps the name for officers).
SCREENSHOT_NAMES = (
    "Screenshot_{date}-{time}.png",
    "Capture d'écran {date} à {time}.png",
    "لقطة شاشة {date} {time}.png",
    "IMG_{date}_{time}.png",
)


_ELIDED = re.compile(r"\b([Dd])e ([AEIOUYÉÈ])")
_CONTRACTED = re.compile(r"\b([Dd])e le (?=[A-ZÉ])")  # a name with its article, not `de le tuer`


def french_elision(text: str) -> str:
    """`de Agadir` is `d'Agadir`, `de le Crédit Agricole` is `du Crédit Agricole`: a slot filled with a
    name that starts with a vowel or with `le`."""
    return _CONTRACTED.sub(r"\1u ", _ELIDED.sub(r"\1'\2", text))


def slots_of(template: str) -> list[str]:
    """The slot names a template uses, in order."""
    return [name for _, name, _, _ in Formatter().parse(template) if name]


INTRUSION_CATEGORIES = frozenset({"ransomware_malware", "account_takeover", "data_breach_other"})


def question_group(category: str) -> str:
    """Which officer's questions fit a category (QUESTIONS)."""
    if category in MONEY_CATEGORIES:
        return "money"
    if category in INTRUSION_CATEGORIES:
        return "intrusion"
    return "content" if category in CONTENT_CATEGORIES else "other"
