"""What the demo's customers say: several languages, emoji, every kind of message."""

from snorq_desktop.domain.enums import ContentType, Platform

# (name, username, platform, language) — a small shop's customers worldwide
CUSTOMERS: list[tuple[str, str, Platform, str]] = [
    ("Ana Souza", "ana.souza", Platform.WHATSAPP, "pt"),
    ("Kenji Watanabe", "kenji_w", Platform.TIKTOK, "ja"),
    ("Fatima Zahra", "fatimaz", Platform.FACEBOOK, "ar"),
    ("Lukas Becker", "lukasb", Platform.WHATSAPP, "de"),
    ("Priya Sharma", "priya.makes", Platform.TIKTOK, "en"),
    ("Chloé Martin", "chloe.m", Platform.FACEBOOK, "fr"),
    ("Olu Adeyemi", "olu_ade", Platform.WHATSAPP, "en"),
    ("Sofía Hernández", "sofi.hdz", Platform.TIKTOK, "es"),
    ("Mehmet Yılmaz", "mehmety", Platform.FACEBOOK, "tr"),
    ("张伟", "zhangwei88", Platform.WHATSAPP, "zh"),
    ("Emily Clarke", "emclarke", Platform.FACEBOOK, "en"),
    ("Diego Rossi", "diegorossi", Platform.TIKTOK, "it"),
    ("Nadia Petrova", "nadia.p", Platform.WHATSAPP, "ru"),
    ("Jamal Carter", "jamalc", Platform.TIKTOK, "en"),
    ("Hana Kim", "hana.kim", Platform.FACEBOOK, "ko"),
    ("Tomás Silva", "tomas.s", Platform.WHATSAPP, "pt"),
    ("Grace Mensah", "gracem", Platform.FACEBOOK, "en"),
    ("Yuki Tanaka", "yuki.t", Platform.TIKTOK, "ja"),
    ("Amira Haddad", "amira.h", Platform.WHATSAPP, "ar"),
    ("Liam O'Brien", "liamob", Platform.FACEBOOK, "en"),
    ("Maria Garcia", "mariag", Platform.WHATSAPP, "es"),
    ("Noah Williams", "noahw", Platform.TIKTOK, "en"),
    ("Elif Demir", "elifd", Platform.FACEBOOK, "tr"),
    ("Sipho Ndlovu", "siphon", Platform.WHATSAPP, "en"),
    ("Camille Dubois", "camille.d", Platform.TIKTOK, "fr"),
    ("Jonas Müller", "jonasm", Platform.FACEBOOK, "de"),
    ("Aisha Bello", "aisha.b", Platform.WHATSAPP, "en"),
    ("Mateo López", "mateol", Platform.TIKTOK, "es"),
    ("Ingrid Larsen", "ingridl", Platform.FACEBOOK, "en"),
    ("Ravi Patel", "ravip", Platform.WHATSAPP, "en"),
]

# A customer's side of a conversation, by language.
ASKS: dict[str, list[str]] = {
    "en": [
        "Hi! Is the blue linen dress still available in size M? 😊",
        "How long does shipping take to Manchester?",
        "Can I pay on delivery?",
        "Thank you so much, it arrived today and it's perfect 😍",
        "Do you have this in green?",
        "Is there a discount if I order three?",
    ],
    "pt": [
        "Olá! Vocês entregam em Lisboa? 🇵🇹",
        "Quanto custa o frete para o Porto?",
        "Adorei a bolsa de palha, ainda tem?",
        "Obrigada! Chegou certinho 🙏",
    ],
    "ja": [
        "こんにちは！このネックレスはまだありますか？",
        "日本への発送はできますか？ ✨",
        "ありがとうございます！とても可愛いです 💕",
    ],
    "ar": [
        "مرحبا، هل هذا الفستان متوفر بالمقاس الكبير؟",
        "كم يستغرق التوصيل إلى دبي؟",
        "شكراً جزيلاً ❤️",
    ],
    "de": [
        "Hallo! Ist die Tasche auch in Schwarz erhältlich?",
        "Wie lange dauert der Versand nach Berlin? 📦",
        "Danke, alles angekommen 👍",
    ],
    "fr": [
        "Bonjour ! Vous livrez en Belgique ?",
        "Le collier existe-t-il en argent ? ✨",
        "Merci beaucoup, c'est magnifique 😍",
    ],
    "es": [
        "¡Hola! ¿Tienen la camiseta en talla S? 🙌",
        "¿Cuánto tarda el envío a Madrid?",
        "¡Me encantó! Gracias 💃",
    ],
    "tr": [
        "Merhaba, bu çanta hâlâ stokta var mı?",
        "İstanbul'a kargo ne kadar sürer?",
        "Çok teşekkürler 🌷",
    ],
    "zh": [
        "你好！这条裙子还有M码吗？",
        "可以寄到上海吗？🚚",
        "谢谢，质量很好 👍",
    ],
    "it": [
        "Ciao! Avete ancora gli orecchini dorati?",
        "Spedite in Italia? 🇮🇹",
        "Grazie mille, bellissimi!",
    ],
    "ru": [
        "Здравствуйте! Есть ли это платье в размере S?",
        "Сколько стоит доставка в Ригу?",
        "Спасибо, всё получила 😊",
    ],
    "ko": [
        "안녕하세요! 이 가방 아직 있나요?",
        "서울까지 배송 얼마나 걸려요? 📦",
        "감사합니다 💕",
    ],
}

ANSWERS = [
    "Hi! Yes, we still have it 😊 Shall I reserve one for you?",
    "Shipping takes 2–4 working days; you'll get a tracking link.",
    "Of course! I'll send you the payment link now.",
    "So happy you like it! Thank you for your order 💛",
    "We have it in green and sand. Here's a photo:",
    "Three or more get 10% off — I'll apply it for you.",
    "Yes, we ship worldwide 🌍",
    "Your parcel left our workshop this morning 📦",
]

# (content type, media type, file name, caption) for non-text messages
MEDIA: list[tuple[ContentType, str | None, str, str | None]] = [
    (ContentType.IMAGE, "image/jpeg", "dress-front.jpg", "Is this the one? 👗"),
    (ContentType.VIDEO, "video/mp4", "unboxing.mp4", "Look what arrived!"),
    (ContentType.AUDIO, "audio/ogg", "voice-note.ogg", None),
    (ContentType.FILE, "application/pdf", "invoice-2041.pdf", "Invoice for order 2041"),
    (ContentType.STICKER, "image/webp", "sticker-heart.webp", None),
    (
        ContentType.LOCATION,
        None,
        "geo:38.7107,-9.1372",
        "Rua Augusta 120, Lisboa — can I pick it up here?",
    ),
]

NEW_ARRIVALS: dict[str, list[str]] = {
    "en": [
        "Hello again! Did my parcel ship yet? 📦",
        "Quick question: do you gift wrap? 🎁",
        "Just ordered two more 🙌",
        "Can you do a custom colour?",
    ],
    "pt": ["Oi! Chegou mais alguma novidade? 😍", "Posso trocar o tamanho?"],
    "ja": ["追加で注文したいです！", "発送はいつ頃になりますか？"],
    "ar": ["هل وصلت منتجات جديدة؟ 🌸"],
    "de": ["Gibt es das auch in Größe L?"],
    "fr": ["Vous avez reçu mon paiement ? 💳"],
    "es": ["¿Hacen envíos gratis este mes? 🤩"],
    "tr": ["Yeni ürünler ne zaman gelecek?"],
    "zh": ["有新款吗？😊"],
    "it": ["Posso ordinare due paia?"],
    "ru": ["А когда будет новая коллекция?"],
    "ko": ["주문 확인 부탁드려요 🙏"],
}

# The demo's approved WhatsApp templates (what a shop typically has approved).
DEMO_TEMPLATES: list[tuple[str, str]] = [
    ("order_shipped", "Hi {{1}}, good news: your order {{2}} is on its way! 📦"),
    ("back_in_stock", "Hi {{1}}, the {{2}} you asked about is back in stock."),
    ("follow_up", "Hello {{1}}, we are here if you have any more questions."),
]
